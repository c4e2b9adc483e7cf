package dev.ckpt.cli;

import dev.ckpt.restore.NativeEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the native dumper {@code target/bin/ckpt-dump} (native/dump) for {@code ckpt dump}:
 * its stderr lines (already prefixed "ckpt dump: ") go to {@code err}, its stdout (--json)
 * to {@code out}; its exit status is ckpt dump's.
 */
final class NativeDump {
    private NativeDump() {}

    static Path binary() {
        return NativeEngine.targetDir().resolve("bin/ckpt-dump");
    }

    static int run(PrintWriter out, PrintWriter err, long pid, Path core, boolean kill, boolean json) {
        Path bin = binary();
        if (!Files.isExecutable(bin)) {
            err.println("ckpt dump: " + bin + ": not built (make -C native)");
            err.flush();
            return ExitCodes.MISSING_TOOL;
        }
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        if (core != null) {
            cmd.add("--core");
            cmd.add(core.toString());
        }
        if (kill) {
            cmd.add("--kill");
        }
        if (json) {
            cmd.add("--json");
        }
        cmd.add(Long.toString(pid));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            Thread relay = new Thread(() -> copyLines(p.getInputStream(), out), "ckpt-dump stdout");
            relay.setDaemon(true);
            relay.start();
            copyLines(p.getErrorStream(), err);
            int status = p.waitFor();
            relay.join();
            return status;
        } catch (IOException | UncheckedIOException e) {
            err.println("ckpt dump: cannot run " + bin + ": " + e.getMessage());
            err.flush();
            return ExitCodes.CHECKPOINT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.CHECKPOINT_FAILED;
        }
    }

    private static void copyLines(InputStream in, PrintWriter to) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (to) {
                    to.println(line);
                    to.flush();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
