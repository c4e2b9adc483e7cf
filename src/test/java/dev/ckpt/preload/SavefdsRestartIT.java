package dev.ckpt.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Child;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The seed's second walkthrough, end to end: a program under libsavefds.so is
 * checkpointed by a signal, and target/bin/restart carries it on "as if the
 * process never stopped".
 */
class SavefdsRestartIT extends ChildTracking {
    static final Duration LIMIT = Duration.ofSeconds(30);
    static final Map<String, String> FAST = Map.of("FPRINTF_DELAY_MS", "300");
    static final String ONE_TO_SIX = "1\n2\n3\n4\n5\n6\n";


    /** {@code restart OPTIONS... fprintf CORE} in the test directory, with its own stdio pipes. */
    Child restart(Path core, String... options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Child.restart().toString());
        cmd.addAll(List.of(options));
        cmd.add(Child.example("fprintf").toString());
        cmd.add(dir.relativize(core).toString());
        return track(Child.start(dir, FAST, cmd));
    }

    /** ulimit -c LIMIT; LD_PRELOAD=libsavefds.so fprintf FILE 6; SIGQUIT after a few numbers. */
    Path checkpoint(String file, String coreLimit) throws Exception {
        Child p = track(Child.preloaded(dir, coreLimit, FAST,
                List.of(Child.example("fprintf").toString(), file, "6")));
        if (file.equals("-")) {
            p.awaitErr("3\n", LIMIT);
        } else {
            Thread.sleep(1000);
        }
        assertThat(p.isAlive()).as("still running; stderr: %s", p.err()).isTrue();
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).as("ended by SIGQUIT; stderr: %s", p.err()).isEqualTo(131);
        Path core = dir.resolve("core." + p.pid());
        assertThat(core).isRegularFile();
        stderrBefore = p.err();
        return core;
    }

    String stderrBefore;

    @Test
    void seedWalkthroughNumbersFile() throws Exception {
        Path core = checkpoint("numbers.txt", "unlimited");
        // the numbers printed so far are still in fprintf's stdio buffer, inside the core
        assertThat(Files.size(dir.resolve("numbers.txt"))).isZero();

        Child r = restart(core, "-f", "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as("restart: %s", r.err()).isZero();
        assertThat(Child.read(dir.resolve("numbers.txt"))).isEqualTo(ONE_TO_SIX);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void dashPrintsOnStderr() throws Exception {
        Path core = checkpoint("-", "unlimited");
        assertThat(stderrBefore).startsWith("1\n2\n3\n");

        Child r = restart(core, "-f", "-n", "-w");
        assertThat(r.waitFor(LIMIT)).isZero();
        // what the original printed, then what the restored process printed
        assertThat(stderrBefore + r.err()).isEqualTo(ONE_TO_SIX);
    }

    @Test
    void coreLimitZero() throws Exception {
        Path core = checkpoint("numbers.txt", "0");
        Child r = restart(core, "-f", "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as(r.err()).isZero();
        assertThat(Child.read(dir.resolve("numbers.txt"))).isEqualTo(ONE_TO_SIX);
    }

    @Test
    void editedFiledescriptorsFollowsAMovedFile() throws Exception {
        Path core = checkpoint("numbers.txt", "unlimited");
        Path moved = Files.createDirectory(dir.resolve("elsewhere")).resolve("moved.txt");
        Path original = dir.toRealPath().resolve("numbers.txt");
        Files.move(original, moved);
        Path fds = dir.resolve("filedescriptors");
        String edited = Child.read(fds).replace(" " + original + " : ", " " + moved.toRealPath() + " : ");
        assertThat(edited).contains("/elsewhere/moved.txt : 0 : 0100001\n");
        Files.writeString(fds, edited);

        Child r = restart(core, "-f", "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as(r.err()).isZero();
        assertThat(Child.read(moved)).isEqualTo(ONE_TO_SIX);
        assertThat(original).doesNotExist(); // reopened, never created
    }

    @Test
    void restartFromTheCkptNotesWithoutFilesOption() throws Exception {
        Path core = checkpoint("numbers.txt", "unlimited");
        Files.delete(dir.resolve("filedescriptors"));
        Child r = restart(core, "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as(r.err()).isZero();
        assertThat(Child.read(dir.resolve("numbers.txt"))).isEqualTo(ONE_TO_SIX);
    }

    @Test
    void checkpointAndContinueThenRestartReachesTheSameEnd() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of("FPRINTF_DELAY_MS", "300", "CKPT_SIGNAL", "USR1"),
                List.of(Child.example("fprintf").toString(), "numbers.txt", "6")));
        Thread.sleep(1000);
        Child.signal(p.pid(), "USR1");
        assertThat(p.waitFor(LIMIT)).as(p.err()).isZero();
        assertThat(Child.read(dir.resolve("numbers.txt"))).isEqualTo(ONE_TO_SIX);
        Path core = dir.resolve("core." + p.pid());
        assertThat(core).isRegularFile();

        // the file as it was at the checkpoint: nothing flushed yet (offset 0 in filedescriptors)
        assertThat(Child.read(dir.resolve("filedescriptors"))).contains("/numbers.txt : 0 : ");
        Files.move(dir.resolve("numbers.txt"), dir.resolve("original.txt"));
        Files.createFile(dir.resolve("numbers.txt"));

        Child r = restart(core, "-f", "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as(r.err()).isZero();
        assertThat(Child.read(dir.resolve("numbers.txt"))).isEqualTo(ONE_TO_SIX)
                .isEqualTo(Child.read(dir.resolve("original.txt")));
    }

    @Test
    void aRestoredProcessCheckpointsAgain() throws Exception {
        Path first = checkpoint("numbers.txt", "unlimited");
        Child r = restart(first, "-f", "-n", "-w");
        long restored = r.onlyDescendant(LIMIT);
        Child.awaitCaught(restored, 3, LIMIT); // the library's SIGQUIT handler is back
        Child.signal(restored, "QUIT");
        // -w reports the restored process's end: killed by SIGQUIT
        assertThat(r.waitFor(LIMIT)).as(r.err()).isEqualTo(131);
        Path second = dir.resolve("core." + restored);
        assertThat(second).isRegularFile();
        assertThat(new CoreFile(second).note("CKPT", 1)).isPresent();

        Child again = restart(second, "-f", "-n", "-w");
        assertThat(again.waitFor(LIMIT)).as(again.err()).isZero();
        assertThat(Child.read(dir.resolve("numbers.txt"))).isEqualTo(ONE_TO_SIX);
    }

    @Test
    void spinningRegistersComeBack() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of(), List.of(Child.nativeTest("spinregs").toString())));
        p.awaitOut("ready\n", LIMIT);
        Thread.sleep(50);
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).isEqualTo(131);

        Child r = track(Child.start(dir, Map.of(), List.of(Child.restart().toString(), "-n", "-w",
                Child.nativeTest("spinregs").toString(), "core." + p.pid())));
        long restored = r.onlyDescendant(LIMIT);
        Child.awaitCaught(restored, 12, LIMIT);
        Child.signal(restored, "USR2"); // the program's own handler ends the spin
        assertThat(r.waitFor(LIMIT)).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("PASS spinregs\n");
    }
}
