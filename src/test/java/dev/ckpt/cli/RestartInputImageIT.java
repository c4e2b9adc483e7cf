package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image made by {@code ckpt-gdb --input} (its stdin a temporary file, gone since)
 * restarts with {@code ckpt restart}: fds 0-2 are the caller's at a restart.
 */
class RestartInputImageIT {

    @TempDir
    Path dir;

    /** The image, taken at hit 11 of linklist's loop; the original run is not restarted. */
    private Path image() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Launch c = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--cont", "10", "--input", "100", "--no-restart")
                .dir(dir).go();
        assertThat(c.exit).as("%s", c).isZero();
        return dir.resolve("core." + prog.getFileName());
    }

    /** Today's engine restarts it (verify is told to go on). */
    @Test
    void theEngineRestartsIt() throws Exception {
        Path core = image();
        Launch r = Launch.of(Launch.ckpt(), "restart", "--force", core).dir(dir).timeout(Duration.ofMinutes(2)).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).isEqualTo(CkptGdbIT.numbers(100));
    }

    /**
     * Without --force. Needs helper "checks"' change of issue #9 item 4 (verify: fds 0-2
     * are never a problem); enable it once that is merged.
     */
    @Test
    void ckptRestartRestartsIt() throws Exception {
        Path core = image();
        Launch r = Launch.of(Launch.ckpt(), "restart", core).dir(dir).timeout(Duration.ofMinutes(2)).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo(CkptGdbIT.numbers(100));
    }
}
