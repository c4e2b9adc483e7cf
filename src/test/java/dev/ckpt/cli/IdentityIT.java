package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images that must restart, and the one that must not (issue 9): an image made by
 * {@code ckpt-gdb --input} (its stdin file is gone) restarts with {@code ckpt restart};
 * after {@code touch} of the executable it still restarts; a rebuilt executable (one
 * constant changed) is refused with one line and exit 2, unless {@code --force}.
 */
class IdentityIT {
    @TempDir
    Path dir;

    /** The seed's linklist, compiled here from its source with NUMBER's message changed to MESSAGE. */
    Path compile(String message) throws Exception {
        Path src = dir.resolve("linklist.c");
        Files.writeString(src, Files.readString(Build.basedir().resolve("examples/linklist.c"))
                .replace("linklist: expected a number", message));
        Path prog = dir.resolve("prog");
        Run r = Run.of("gcc", "-O0", "-g", "-o", prog.toString(), src.toString()).go();
        assertThat(r.exit).as("%s", r).isZero();
        return prog;
    }

    @Test
    void touchedRestarts_rebuiltIsRefused() throws Exception {
        Path prog = compile("linklist: expected a number");
        Path core = dir.resolve("core.prog");
        Launch g = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--cont", "50", "--input", "100",
                "--core", core, "--no-restart").dir(dir).go();
        assertThat(g.exit).as("%s", g).isZero();
        assertThat(core).exists();
        // the values 0..99: a fresh run would read no number from /dev/null and exit 2, so
        // this output can only come from the checkpointed list (nodes 0..50 already built)
        String list = IntStream.range(0, 100).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));

        // stdin was ckpt-gdb's temporary input file, gone now: fd 0 is the caller's
        Launch r = Launch.of(Launch.ckpt(), "restart", core).dir(dir).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).isEqualTo(list);

        Files.setLastModifiedTime(prog, FileTime.fromMillis(Files.getLastModifiedTime(prog).toMillis() + 5000));
        Launch touched = Launch.of(Launch.ckpt(), "restart", core).dir(dir).go();
        assertThat(touched.exit).as("%s", touched).isZero();
        assertThat(touched.out).isEqualTo(list);
        assertThat(touched.err).contains("restart: " + core + ": warning: executable " + prog
                + " was modified after the checkpoint (mtime), but its build-id is the checkpoint's\n");

        compile("linklist: expected a numbeR"); // same size, another build
        Launch rebuilt = Launch.of(Launch.ckpt(), "restart", core).dir(dir).go();
        assertThat(rebuilt.exit).as("%s", rebuilt).isEqualTo(2);
        assertThat(rebuilt.out).isEmpty();
        assertThat(rebuilt.err).matches(Pattern.quote("ckpt restart: " + core + ": executable " + prog
                + " is another build: build-id ") + "[0-9a-f]+, the checkpoint's is [0-9a-f]+\n");
        Run engine = Run.of(Build.restart().toString(), "-n", "-w", core.toString()).dir(dir).go();
        assertThat(engine.exit).isEqualTo(2);
        assertThat(engine.err.lines()).hasSize(1);
        assertThat(engine.out).isEmpty();

        // --force reaches the engine, which says what it overrides
        Launch forced = Launch.of(Launch.ckpt(), "restart", "--force", core).dir(dir).go();
        assertThat(forced.err).contains("restart: " + core + ": executable " + prog + " is another build: ")
                .contains("(--force: restarting anyway)");
        assertThat(forced.exit).as("%s", forced).isZero();
        assertThat(forced.out).isEqualTo(list);
    }
}
