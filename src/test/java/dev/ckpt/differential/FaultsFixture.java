package dev.ckpt.differential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the checkpoint fault tests ({@link CheckpointFaultsIT}, {@link CkptDumpFaultsIT})
 * share: the seed's fprintf (20 numbers into DIR/numbers.txt, 100 ms apart) and a large
 * python program to catch a checkpointer mid-write, small tmpfs mounts made by the test
 * (the test is skipped, with the reason, where it cannot mount), and the clean-up of both.
 */
abstract class FaultsFixture {
    static final String NUMBERS = IntStream.rangeClosed(1, 20).mapToObj(i -> i + "\n").collect(Collectors.joining());

    /** Run before the program: gcore (gdb's ckpt-save) dumps only what coredump_filter names. */
    static final List<String> COREDUMP_FILTER_0X33 =
            List.of("bash", "-c", "echo 0x33 > /proc/self/coredump_filter && exec \"$@\"", "filtered");

    @TempDir
    Path dir;

    final List<Process> started = new ArrayList<>();
    final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (Path m : mounts) {
            Run.of("umount", m.toString()).timeout(Duration.ofSeconds(30)).go();
        }
    }

    /** A tmpfs at DIR/NAME mounted with OPTIONS ("ro" for a read-only one); skips the test when mount fails. */
    Path tmpfs(String name, String options) throws Exception {
        Path m = Files.createDirectory(dir.resolve(name));
        Run r = Run.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", m.toString())
                .timeout(Duration.ofSeconds(30)).go();
        Assumptions.assumeTrue(r.exit == 0, "cannot mount a tmpfs here: " + r.err.trim());
        mounts.add(m);
        return m;
    }

    /**
     * Starts PREFIX + COMMAND in CWD with ENV added, stdin /dev/null, stdout and stderr into
     * DIR/NAME.out and DIR/NAME.err; the clean-up ends it.
     */
    Process start(String name, Path cwd, Map<String, String> env, List<String> prefix, String... command)
            throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** fprintf NUMBERS.TXT 20 in CWD, 100 ms between numbers, with extra environment; running. */
    Process fprintf(Path cwd, Map<String, String> env, List<String> prefix) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("FPRINTF_DELAY_MS", "100");
        Process p = start("fprintf", cwd, all, prefix, Build.example("fprintf").toString(),
                dir.resolve("numbers.txt").toString(), "20");
        Thread.sleep(300);
        assertThat(p.isAlive()).as("fprintf runs").isTrue();
        return p;
    }

    /** A python program with 400 MB of memory (so that a dump takes a while) that ends by itself; running. */
    Process big(List<String> prefix) throws Exception {
        Path script = Files.writeString(dir.resolve("big.py"), String.join("\n",
                "import sys, time", "b = bytes(range(256)) * 1_600_000", "time.sleep(3)",
                "print('done', len(b))", ""));
        Process p = start("big", dir, Map.of(), prefix, "python3", script.toString());
        Thread.sleep(1000);
        assertThat(p.isAlive()).isTrue();
        return p;
    }

    /** The big program ends normally, with all its memory. */
    void bigFinishesNormally(Process p) throws Exception {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("big.out"))).isEqualTo("done 409600000\n");
    }

    /** The program goes on after the failed checkpoint and finishes normally. */
    void finishesNormally(Process p) throws Exception {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("fprintf ends").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("fprintf.err"))).isZero();
        assertThat(Files.readString(dir.resolve("numbers.txt"))).isEqualTo(NUMBERS);
    }

    /** restart -n -w IMAGE in DIR succeeds, and numbers.txt then holds all the numbers. */
    void restartFinishes(Path image) throws Exception {
        Run r = Run.of(Build.restart().toString(), "-n", "-w", image.toString()).dir(dir)
                .timeout(Duration.ofSeconds(60)).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(Files.readString(dir.resolve("numbers.txt"))).isEqualTo(NUMBERS);
    }

    static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
