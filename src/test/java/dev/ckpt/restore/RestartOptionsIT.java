package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import dev.ckpt.testing.Run;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's seed options that change how the restored process starts: stopped, at a breakpoint. */
class RestartOptionsIT {

    @TempDir
    Path dir;

    Path core;
    Process restart;
    final String expected = IntStream.range(0, 2000).mapToObj(i -> i + "\n").collect(Collectors.joining());

    @BeforeEach
    void checkpoint() throws Exception {
        Path input = dir.resolve("input");
        Files.writeString(input, "2000\n");
        core = Checkpoints.gdb(dir, Build.example("linklist"), "29", 10, input, "core.linklist").core();
    }

    @AfterEach
    void noneLeft() throws Exception {
        if (restart != null && restart.isAlive()) {
            restart.descendants().forEach(ProcessHandle::destroyForcibly);
            restart.destroyForcibly();
        }
    }

    private long startAndReadPid(String... options) throws Exception {
        var cmd = new java.util.ArrayList<String>();
        cmd.add(Build.restart().toString());
        cmd.addAll(java.util.List.of(options));
        cmd.add(core.toString());
        restart = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("after.out").toFile()).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(restart.getErrorStream(), StandardCharsets.UTF_8));
        String line = err.readLine();
        assertThat(line).as("restart says which process it left stopped").isNotNull();
        Matcher m = Pattern.compile("process (\\d+) restored and stopped").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String state(long pid) throws Exception {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        return status.lines().filter(l -> l.startsWith("State:")).findFirst().orElse("");
    }

    @Test
    void withoutNostopTheProcessWaitsStoppedUntilContinued() throws Exception {
        long pid = startAndReadPid("-w");
        assertThat(state(pid)).contains("T (stopped)");
        Thread.sleep(300);
        assertThat(Files.readString(dir.resolve("after.out"))).as("a stopped process prints nothing").isEmpty();
        assertThat(Run.of("kill", "-CONT", Long.toString(pid)).go().exit).isZero();
        assertThat(restart.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(restart.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("after.out"))).isEqualTo(expected);
    }

    @Test
    void breakpointLeavesTheProcessStoppedAtTheAddress() throws Exception {
        // line 37 (the printf loop) of the PIE linklist, loaded at gdb's fixed base 0x555555554000
        Run info = Run.of("gdb", "-nx", "-batch", "-ex", "info line linklist.c:37", Build.example("linklist").toString()).go();
        Matcher m = Pattern.compile("starts at address 0x([0-9a-f]+)").matcher(info.out);
        assertThat(m.find()).as(info.out).isTrue();
        long addr = 0x555555554000L + Long.parseLong(m.group(1), 16);

        long pid = startAndReadPid("-n", "-w", "-b", "0x" + Long.toHexString(addr));
        assertThat(state(pid)).contains("T (stopped)");
        Run pc = Run.of("gdb", "-nx", "-batch", "-p", Long.toString(pid), "-ex", "p/x $pc").go();
        assertThat(pc.out).contains("0x" + Long.toHexString(addr));
        // gdb's detach leaves it stopped (SIGSTOP is pending again): continue it
        Run.of("kill", "-CONT", Long.toString(pid)).go();
        assertThat(restart.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(restart.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("after.out"))).isEqualTo(expected);
    }

    @Test
    void pidFileNamesTheRestoredProcessEvenWhenItHasEnded() throws Exception {
        Path pidFile = dir.resolve("restored.pid");
        Run r = Checkpoints.restart(dir, "-n", "-w", "--pid-file=" + pidFile, core.toString());
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).isEqualTo(expected);
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(pid).isPositive().isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void theFileListMayFollowMinusFAsAWordOfItsOwnBeforeExecutableAndCore() throws Exception {
        Path list = Files.writeString(dir.resolve("files.txt"), "# no files but 0-2\n");
        Run r = Checkpoints.restart(dir, "-n", "-w", "-f", list.toString(), Build.example("linklist").toString(),
                core.toString());
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).isEqualTo(expected);
        Run missing = Checkpoints.restart(dir, "-n", "-w", "-f", dir.resolve("nope.txt").toString(),
                Build.example("linklist").toString(), core.toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains(dir.resolve("nope.txt").toString()).contains("No such file");
        assertThat(missing.out).isEmpty();
    }

    @Test
    void waitPassesOnTheExitStatusAndDeathBySignal() throws Exception {
        Run normal = Checkpoints.restart(dir, "-n", "-w", core.toString());
        assertThat(normal.exit).isZero();
        long pid = startAndReadPid("-w");
        Run.of("kill", "-KILL", Long.toString(pid)).go();
        assertThat(restart.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(restart.exitValue()).isEqualTo(128 + 9);
    }
}
