package dev.ckpt.cli;

import dev.ckpt.gdb.ProgramStdio;
import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the native engine on a checkpoint ({@code restart -n -w CORE}) with our
 * stdio, so the restored program continues on the same terminal, pipes or files,
 * and returns its exit status. A JVM shutdown hook kills the engine and the restored
 * process if we are stopped (Ctrl-C, SIGTERM) while they run.
 */
final class Restart {
    private Restart() {}

    /**
     * @param stdinFile the file the program read as stdin (--stdin / --input), or null for our own stdin
     * @param stdinOffset where the program's stdin offset was at the checkpoint (-1: not a regular file)
     */
    static int run(Path core, Path stdinFile, long stdinOffset, Progress progress) throws IOException, InterruptedException {
        Path pidFile = java.nio.file.Files.createTempFile("ckpt-restart-", ".pid");
        java.nio.file.Files.delete(pidFile);    // the engine makes it once the process runs
        List<String> engine = NativeEngine.command(List.of("-n", "-w", "--pid-file=" + pidFile), null, core);
        ProcessBuilder pb;
        if (stdinFile != null) {
            // the program's stdin was stdinFile at stdinOffset: the engine passes on its own stdin,
            // so give it that file, moved to that offset (dd seeks a seekable stdin and copies nothing)
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
                    "dd bs=1 skip=\"$0\" count=0 2>/dev/null; exec \"$@\"", Long.toString(Math.max(stdinOffset, 0))));
            cmd.addAll(engine);
            pb = new ProcessBuilder(cmd).redirectInput(stdinFile.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        } else {
            if (stdinOffset >= 0) {
                ProgramStdio.seekStdin(stdinOffset);
            }
            pb = new ProcessBuilder(engine).inheritIO();
        }
        ProgramStdio.seekToEnd(1);
        progress.line("restarting from " + core);
        ProgramStdio.seekToEnd(2);
        Process p = pb.start();
        Thread hook = new Thread(() -> stopTree(p), "ckpt-restart-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int status;
        try {
            restoredPid(p, pidFile).ifPresent(pid -> progress.line("restarted as process " + pid + " (restart pid " + p.pid() + ")"));
            status = p.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
            if (p.isAlive()) {
                killTree(p);
            }
            java.nio.file.Files.deleteIfExists(pidFile);
        }
        progress.line("restarted process exited with status " + status);
        return status;
    }

    /**
     * The restored process's pid, which the engine writes to PIDFILE once the process
     * runs ({@code --pid-file}); waited for while the engine runs. For the progress line only.
     */
    private static java.util.OptionalLong restoredPid(Process p, Path pidFile) throws InterruptedException {
        while (true) {
            boolean alive = p.isAlive();
            try {
                String s = java.nio.file.Files.readString(pidFile).trim();
                return java.util.OptionalLong.of(Long.parseLong(s));
            } catch (IOException | NumberFormatException e) {
                // not written yet
            }
            if (!alive) {
                return java.util.OptionalLong.empty();
            }
            Thread.sleep(2);
        }
    }

    /**
     * The shutdown hook: a Ctrl-C reached the engine and the restored program as well
     * (they are in our process group), so give them a second to end on their own (a
     * program may handle SIGINT), then kill what is left.
     */
    private static void stopTree(Process p) {
        List<ProcessHandle> below = p.descendants().toList();
        long end = System.nanoTime() + 1_000_000_000L;
        for (ProcessHandle h : below) {
            try {
                h.onExit().get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // still running: killed below
            }
        }
        below.forEach(ProcessHandle::destroyForcibly);
        killTree(p);
    }

    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
