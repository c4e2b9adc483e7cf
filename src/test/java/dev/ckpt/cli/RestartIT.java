package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckpt.core.CoreFile;
import dev.ckpt.core.Note;
import dev.ckpt.core.TestCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ckpt restart} end to end: the shaded jar in its own JVM (the engine inherits
 * its stdio), restarting real cores with the native engine.
 */
class RestartIT {
    @TempDir
    Path tmp;

    static TestCores.Run ckpt(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("java", "-XX:-UsePerfData", "-Dckpt.target=" + TestCores.target(), "-jar",
                TestCores.target().resolve("ckpt.jar").toString()));
        cmd.addAll(List.of(args));
        return TestCores.run(cmd, dir, Map.of(), 120);
    }

    static void assumeBuilt() {
        assumeTrue(Files.isRegularFile(TestCores.target().resolve("ckpt.jar")), "the jar is built by mvn package");
        assumeTrue(Files.isExecutable(TestCores.target().resolve("bin/restart")), "the native engine is not built");
    }

    @Test
    void restartsLinklistAndWaitsForIt() throws IOException {
        assumeBuilt();
        Path core = TestCores.gdbLinklist(tmp, 1000, 500);
        TestCores.Run r = ckpt(tmp, "restart", core.toString());
        assertThat(r.status()).as(r.err()).isZero();
        // linklist prints the whole list after building it: all of it comes from the restarted process
        String expected = IntStream.range(0, 1000).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));
        assertThat(r.out()).isEqualTo(expected);
    }

    @Test
    void restartsAKernelCore() throws IOException {
        assumeBuilt();
        Path core = TestCores.kernelCore(tmp, TestCores.nativeTest("heap")).core();
        TestCores.Run r = ckpt(tmp, "restart", core.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("PASS heap\n");
    }

    @Test
    void problemsStopItBeforeAnythingRuns() throws IOException {
        assumeBuilt();
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        List<byte[]> notes = new ArrayList<>(TestCores.rawNotes(c));
        for (int i = 0; i < c.notes().size(); i++) {
            if (c.notes().get(i).type() == Note.NT_PRSTATUS) {
                notes.add(notes.get(i));
                break;
            }
        }
        Path p = tmp.resolve("thread-twice");
        Files.write(p, TestCores.shrink(c, notes, 1 << 30));
        TestCores.Run r = ckpt(tmp, "restart", p.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("ckpt restart: " + p + ": thread " + c.threads().get(0).tid()
                + " has two NT_PRSTATUS notes\n");

        Path broken = tmp.resolve("broken");
        Files.write(broken, new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1});
        TestCores.Run b = ckpt(tmp, "restart", broken.toString());
        assertThat(b.status()).isEqualTo(2);
        assertThat(b.err()).isEqualTo("ckpt restart: " + broken + ": truncated ELF header (7 bytes)\n");
    }
}
