package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed README's first walkthrough, as written there: under gdb, break 29,
 * run with 4000 nodes, cont N, gcore core.linklist, quit; then
 * {@code restart -n -w linklist core.linklist}. What linklist printed before the
 * checkpoint plus what the restarted process prints is the uninterrupted output.
 */
class SeedLinklistWalkthroughIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "cont {0}")
    @ValueSource(ints = {0, 1, 500, 3998})
    void restartPrintsWhatTheUninterruptedRunPrints(int cont) throws Exception {
        Path linklist = Build.example("linklist");
        Path input = dir.resolve("input");
        Files.writeString(input, "4000\n");
        String expected = IntStream.range(0, 4000).mapToObj(i -> i + "\n").collect(Collectors.joining());
        Run uninterrupted = Run.of(linklist.toString()).stdin(input).go();
        assertThat(uninterrupted.out).isEqualTo(expected);

        Checkpoints.Taken cp = Checkpoints.gdb(dir, linklist, "29", cont, input, "core.linklist");
        Files.copy(linklist, dir.resolve("linklist"));
        Run restarted = Checkpoints.restart(dir, "-n", "-w", "linklist", "core.linklist");

        assertThat(restarted.exit).as("%s", restarted).isZero();
        assertThat(cp.before() + restarted.out).isEqualTo(uninterrupted.out);
        assertThat(restarted.err).isEmpty();
    }

    @ParameterizedTest(name = "executable taken from the core, cont {0}")
    @ValueSource(ints = {100})
    void theExecutableMayBeLeftOut(int cont) throws Exception {
        Path input = dir.resolve("input");
        Files.writeString(input, "300\n");
        Checkpoints.Taken cp = Checkpoints.gdb(dir, Build.example("linklist"), "29", cont, input, "core.linklist");
        Run restarted = Checkpoints.restart(dir, "-n", "-w", "core.linklist");
        assertThat(restarted.exit).as("%s", restarted).isZero();
        assertThat(cp.before() + restarted.out)
                .isEqualTo(IntStream.range(0, 300).mapToObj(i -> i + "\n").collect(Collectors.joining()));
    }
}
