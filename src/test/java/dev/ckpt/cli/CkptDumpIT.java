package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ckpt dump (the native dumper, and gdb with --gdb) on a running fprintf (numbers 1..N on stderr, 80 ms apart): the process keeps
 * running and finishes normally; a restart from the checkpoint finishes the same
 * work with the same output.
 */
class CkptDumpIT {
    static final int N = 100;

    @TempDir
    Path dir;

    Process running;

    @AfterEach
    void stopProgram() throws Exception {
        if (running != null && running.isAlive()) {
            running.destroyForcibly();
            running.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String numbers(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));
    }

    /** Starts fprintf writing 1..N to stderr (into {@code err}) and waits until it printed a few. */
    Process startFprintf(Path program, Path err) throws Exception {
        String file = "-";
        ProcessBuilder pb = new ProcessBuilder(program.toString(), file, Integer.toString(N)).directory(dir.toFile())
                .redirectInput(new java.io.File("/dev/null")).redirectOutput(dir.resolve("fprintf.out").toFile())
                .redirectError(err.toFile());
        pb.environment().put("FPRINTF_DELAY_MS", "80");
        running = pb.start();
        Path watched = err;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (Files.exists(watched) && Files.readString(watched).lines().count() >= 5) {
                return running;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("fprintf did not start printing");
    }

    @ParameterizedTest(name = "gdb={0}")
    @ValueSource(booleans = {false, true})
    void processKeepsRunningAndTheRestartFinishesTheSameWork(boolean gdb) throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("fprintf"), dir);
        Path origErr = dir.resolve("orig.err");
        Process p = startFprintf(prog, origErr);
        Path core = dir.resolve("fprintf.core");
        Launch d = gdb ? Launch.of(Launch.ckpt(), "dump", "--gdb", p.pid(), "--core", core).dir(dir).go()
                : Launch.of(Launch.ckpt(), "dump", p.pid(), "--core", core, "--json").dir(dir).go();
        assertThat(d.exit).as("%s", d).isZero();
        assertThat(d.err).contains("ckpt dump: attached to process " + p.pid())
                .contains("ckpt dump: detached from process " + p.pid() + ": it keeps running");
        assertThat(Files.getPosixFilePermissions(core)).isEqualTo(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        d.assertNoStrays(null);
        assertThat(d.sawGdb()).isEqualTo(gdb);
        if (!gdb) {
            // the times: frozen (stopped) within the total, both on stderr and in --json
            assertThat(d.err).containsPattern("ckpt dump: wrote .*fprintf.core: 1 thread\\(s\\), .*; frozen [0-9.]+ s, total [0-9.]+ s");
            var m = java.util.regex.Pattern.compile("\"frozen_seconds\": ([0-9.]+), \"total_seconds\": ([0-9.]+)")
                    .matcher(d.out);
            assertThat(m.find()).as(d.out).isTrue();
            assertThat(Double.parseDouble(m.group(1))).isPositive().isLessThanOrEqualTo(Double.parseDouble(m.group(2)));
            assertThat(d.out).contains("\"pid\": " + p.pid());
        }

        // the original runs on to its normal end
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(origErr)).isEqualTo(numbers(1, N));

        // the restart continues from the checkpoint: k..N, where the original had printed 1..k-1
        Launch r = Launch.of(Build.restart(), "-n", "-w", core).dir(dir).go();
        assertThat(r.exit).as("%s", r).isZero();
        int k = Integer.parseInt(r.err.lines().findFirst().orElseThrow());
        assertThat(k).isBetween(5, N);
        assertThat(r.err).isEqualTo(numbers(k, N));
        r.assertNoStrays(prog.toString());
    }

    @Test
    void killAfterTheCheckpoint() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("fprintf"), dir);
        Path origErr = dir.resolve("orig.err");
        Process p = startFprintf(prog, origErr);
        Path core = dir.resolve("fprintf.core");
        Launch d = Launch.of(Launch.ckpt(), "dump", p.pid(), "--core", core, "--kill").dir(dir).go();
        assertThat(d.exit).as("%s", d).isZero();
        assertThat(d.err).contains("ckpt dump: killed process " + p.pid());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(128 + 9);
        int printed = (int) Files.readString(origErr).lines().count();
        assertThat(printed).isLessThan(N);

        Launch r = Launch.of(Build.restart(), "-n", "-w", core).dir(dir).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(Files.readString(origErr) + r.err).isEqualTo(numbers(1, N));
        r.assertNoStrays(prog.toString());
    }

    /** A failed checkpoint never kills a process that was only attached to. */
    @Test
    void failureLeavesTheProcessRunning() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("fprintf"), dir);
        Path origErr = dir.resolve("orig.err");
        Process p = startFprintf(prog, origErr);
        Path core = Path.of("/proc/ckpt-dump-test-" + ProcessHandle.current().pid() + ".core");
        Launch d = Launch.of(Launch.ckpt(), "dump", p.pid(), "--core", core).dir(dir).go();
        assertThat(d.exit).as("%s", d).isEqualTo(ExitCodes.CHECKPOINT_FAILED);
        assertThat(d.ckptLines("ckpt dump").get(d.ckptLines("ckpt dump").size() - 1))
                .startsWith("ckpt dump: checkpoint " + core + ": ");
        assertThat(core).doesNotExist();
        d.assertNoStrays(null);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(origErr)).isEqualTo(numbers(1, N));

        Launch noGdb = Launch.of(Launch.ckpt(), "dump", "--gdb", ProcessHandle.current().pid() + 0, "--core", dir.resolve("x"))
                .env("CKPT_GDB", "/nonexistent/gdb").dir(dir).go();
        assertThat(noGdb.exit).isEqualTo(ExitCodes.MISSING_TOOL);
    }

    /**
     * Sparse images from both dumpers: 2 MiB written in a 256 MiB private mapping; the
     * pages never touched are holes (ckpt-save punches them after gcore), and inspect
     * shows the bytes on disk beside the file's size.
     */
    @ParameterizedTest(name = "gdb={0}")
    @ValueSource(booleans = {false, true})
    void untouchedMemoryIsAHole(boolean gdb) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", String.join("\n",
                "import mmap, sys, time",
                "m = mmap.mmap(-1, 256 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)",
                "for i in range(0, 2 << 20, 4096): m[i] = 7",
                "print('ready', flush=True)",
                "time.sleep(120)")).directory(dir.toFile()).redirectError(dir.resolve("py.err").toFile());
        running = pb.start();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(running.getInputStream()));
        assertThat(r.readLine()).isEqualTo("ready");
        Path core = dir.resolve("sparse.core");
        Launch d = gdb ? Launch.of(Launch.ckpt(), "dump", "--gdb", running.pid(), "--core", core, "--kill").dir(dir).go()
                : Launch.of(Launch.ckpt(), "dump", running.pid(), "--core", core, "--kill").dir(dir).go();
        assertThat(d.exit).as("%s", d).isZero();
        long onDisk = DiskUsage.of(core).orElseThrow();
        assertThat(Files.size(core)).isGreaterThan(256L << 20);
        assertThat(onDisk).as("bytes on disk").isLessThan(64L << 20);
        Launch i = Launch.of(Launch.ckpt(), "inspect", core).dir(dir).go();
        assertThat(i.out).as("%s", i).containsPattern("\\(2[5-9][0-9](\\.[0-9])? MiB, [0-9.]+ MiB on disk, written by "
                + (gdb ? "gdb" : "ckpt-dump") + "\\)");
    }

    @Test
    void noSuchProcess() throws Exception {
        Launch d = Launch.of(Launch.ckpt(), "dump", "999999999").dir(dir).go();
        assertThat(d.exit).as("%s", d).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(d.err).isEqualTo("ckpt dump: 999999999: no such process\n");
        Launch notNumber = Launch.of(Launch.ckpt(), "dump", "init").dir(dir).go();
        assertThat(notNumber.exit).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
