package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ckpt-gdb keeps its checkpoints: several points in one run (one image each, the restart
 * from the last), --rm-core, and --timeout for a breakpoint never reached.
 */
class CkptGdbPointsIT {

    @TempDir
    Path dir;

    @Test
    void severalPointsWriteOneImageEachAndRestartFromTheLast() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("buglist"), dir);
        String name = prog.getFileName().toString();
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "add_node", "--cont", "1000,5000,8990", "--", "9500")
                .dir(dir).timeout(Duration.ofMinutes(4)).go();
        // the program's own status: the late bug's SIGSEGV, after the restart from the last point
        assertThat(r.exit).as("%s", r).isEqualTo(128 + 11);
        assertThat(r.out).isEqualTo("built 9500 nodes\n");
        assertThat(r.err).contains("checkpoint at hit 1001, 5001, 8991")
                .contains("restart it: ckpt restart core." + name + ".8990    debug it: ckpt debug core." + name + ".8990")
                .contains("restarting from " + dir.resolve("core." + name + ".8990"));
        for (String n : new String[] {"1000", "5000", "8990"}) {
            assertThat(dir.resolve("core." + name + "." + n)).exists();
        }
        // each image is at its own point: `ckpt debug` shows i
        for (String n : new String[] {"1000", "8990"}) {
            Launch d = Launch.of(Launch.ckpt(), "debug", "core." + name + "." + n, "--", "-batch", "-ex", "print i",
                    "-ex", "kill").dir(dir).timeout(Duration.ofMinutes(2)).go();
            assertThat(d.out).as("%s", d).contains("$1 = " + n);
        }
        r.assertNoStrays(prog.toString());
    }

    @Test
    void rmCoreDeletesTheCheckpointAfterTheRestart() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--cont", "10", "--input", "100", "--rm-core")
                .dir(dir).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).isEqualTo(CkptGdbIT.numbers(100));
        assertThat(dir.resolve("core." + prog.getFileName())).doesNotExist();
        assertThat(r.err).doesNotContain("restart it:");
        r.assertNoStrays(prog.toString());
    }

    @Test
    void aBreakpointNeverReachedEndsAtTheTimeout() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("fprintf"), dir);
        long t0 = System.nanoTime();
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "49", "--timeout", "5s", "--", "numbers.txt", "1000")
                .dir(dir).timeout(Duration.ofMinutes(3)).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(r.ckptLines("ckpt-gdb")).last().asString()
                .isEqualTo("ckpt-gdb: " + prog.getFileName() + " did not reach the checkpoint (49, hit 1) within 5 s"
                        + " (--timeout); it was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(dir.resolve("core." + prog.getFileName())).doesNotExist();
        r.assertNoStrays(prog.toString());
    }

    @Test
    void pointsMustIncreaseAndTheTimeoutMustBeADuration() throws Exception {
        Launch down = Launch.of(Launch.ckptGdb(), Build.example("linklist"), "--cont", "5,3").dir(dir).go();
        assertThat(down.exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(down.err).isEqualTo("ckpt-gdb: --cont 5,3: the counts must increase\n");
        Launch bad = Launch.of(Launch.ckptGdb(), Build.example("linklist"), "--timeout", "soon").dir(dir).go();
        assertThat(bad.exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err).isEqualTo("ckpt-gdb: --timeout soon: not a duration (e.g. 30, 30s, 500ms, 5m, 1h)\n");
        assertThat(GdbCommand.parseDuration("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GdbCommand.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(GdbCommand.parseDuration("0")).isNull();
    }
}
