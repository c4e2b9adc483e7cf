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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restart -b ADDR} of a program that raises a signal (with a handler) on its way to ADDR:
 * the signal reaches the handler and the process still stops at ADDR (native/tests/sigbreak.c).
 */
class BreakpointSignalsIT {

    @TempDir
    Path dir;

    Process restart;

    @AfterEach
    void noneLeft() {
        if (restart != null && restart.isAlive()) {
            restart.descendants().forEach(ProcessHandle::destroyForcibly);
            restart.destroyForcibly();
        }
    }

    @Test
    void signalsOnTheWayAreDeliveredAndTheProcessStopsAtTheBreakpoint() throws Exception {
        Path program = Build.feature("sigbreak");
        Path core = Checkpoints.ckptSave(dir, program, "checkpoint_point", 0, null, "img.sigbreak").core();
        // gdb runs the PIE program at its fixed base 0x555555554000 (ASLR off), and so does the image
        Run info = Run.of("gdb", "-nx", "-batch", "-ex", "info address after_signal", program.toString()).go();
        Matcher m = Pattern.compile("at address 0x([0-9a-f]+)").matcher(info.out);
        assertThat(m.find()).as(info.out).isTrue();
        long addr = 0x555555554000L + Long.parseLong(m.group(1), 16);

        restart = new ProcessBuilder(List.of(Build.restart().toString(), "-n", "-w", "-b", "0x" + Long.toHexString(addr),
                core.toString())).directory(dir.toFile()).redirectOutput(dir.resolve("after.out").toFile()).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(restart.getErrorStream(), StandardCharsets.UTF_8));
        String line = err.readLine();
        assertThat(line).as("restart says which process it left stopped").isNotNull();
        Matcher pm = Pattern.compile("process (\\d+) restored and stopped").matcher(line);
        assertThat(pm.find()).as(line).isTrue();
        long pid = Long.parseLong(pm.group(1));

        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertThat(status).contains("T (stopped)");
        Run pc = Run.of("gdb", "-nx", "-batch", "-p", Long.toString(pid), "-ex", "p/x $pc").go();
        assertThat(pc.out).contains("0x" + Long.toHexString(addr));
        Run.of("kill", "-CONT", Long.toString(pid)).go();
        assertThat(restart.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(restart.exitValue()).as(Files.readString(dir.resolve("after.out"))).isZero();
        assertThat(Files.readString(dir.resolve("after.out"))).contains("PASS sigbreak");
    }
}
