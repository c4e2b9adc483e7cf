package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Runs the launchers (bin/ckpt-gdb, bin/ckpt) as a user would, in their own
 * process, with a time limit, and remembers every process that ran below them
 * (polled every 10 ms), so that a test can check that none is left afterwards.
 */
final class Launch {
    final List<String> command;
    final int exit;
    final String out;
    final String err;
    final Map<ProcessHandle, String> seen;
    /** Files left in the TMPDIR the command was given (its own temporary files must be gone). */
    List<String> leftovers = List.of();

    private Launch(List<String> command, int exit, String out, String err, Map<ProcessHandle, String> seen) {
        this.command = command;
        this.exit = exit;
        this.out = out;
        this.err = err;
        this.seen = seen;
    }

    static Path ckptGdb() {
        return Build.basedir().resolve("bin/ckpt-gdb");
    }

    static Path ckpt() {
        return Build.basedir().resolve("bin/ckpt");
    }

    /** The java running this test: for launching the jar without the launcher. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static Spec of(Object... cmd) {
        List<String> c = new ArrayList<>();
        for (Object o : cmd) {
            c.add(o.toString());
        }
        return new Spec(c);
    }

    static Spec of(List<String> cmd) {
        return new Spec(new ArrayList<>(cmd));
    }

    /** The progress and error lines ckpt wrote (its own lines, not the program's). */
    List<String> ckptLines(String prefix) {
        return err.lines().filter(l -> l.startsWith(prefix + ": ")).toList();
    }

    @Override
    public String toString() {
        return command + " exited " + exit + "\n--- stderr:\n" + err + "\n--- stdout (first 500 chars):\n"
                + out.substring(0, Math.min(500, out.length()));
    }

    static final class Spec {
        private final List<String> cmd;
        private Path dir;
        private Path stdinFile;
        private byte[] stdinBytes;
        private Duration timeout = Duration.ofSeconds(120);
        private final Map<String, String> env = new HashMap<>();
        private Consumer<Process> whileRunning;

        Spec(List<String> cmd) {
            this.cmd = cmd;
        }

        Spec dir(Path d) { dir = d; return this; }
        Spec stdin(Path f) { stdinFile = f; return this; }
        Spec stdin(String text) { stdinBytes = text.getBytes(StandardCharsets.UTF_8); return this; }
        Spec timeout(Duration t) { timeout = t; return this; }
        Spec env(String k, String v) { env.put(k, v); return this; }
        /** Called on a thread of its own once the process has started. */
        Spec whileRunning(Consumer<Process> c) { whileRunning = c; return this; }

        Launch go() throws IOException, InterruptedException {
            Path tmp = Files.createTempDirectory("ckpt-launch");
            try {
                // ckpt-gdb's temporary files go here: the stray check also looks for leftovers
                Map<String, String> e = new HashMap<>(env);
                e.putIfAbsent("TMPDIR", tmp.toString());
                List<Map<ProcessHandle, String>> seen = new ArrayList<>(List.of(Map.of()));
                Thread[] side = new Thread[1];
                Run.Spec spec = Run.of(cmd).env(e).timeout(timeout).started(p -> {
                    seen.set(0, watch(p));
                    if (whileRunning != null) {
                        side[0] = new Thread(() -> whileRunning.accept(p), "while-running");
                        side[0].setDaemon(true);
                        side[0].start();
                    }
                }).onTimeout(r -> "timed out after " + timeout + ": "
                        + new Launch(List.copyOf(cmd), r.exit, r.out, r.err, seen.get(0)));
                if (dir != null) {
                    spec.dir(dir);
                }
                if (stdinFile != null) {
                    spec.stdin(stdinFile);
                } else if (stdinBytes != null) {
                    spec.stdin(stdinBytes);
                }
                Run r = spec.go();
                if (side[0] != null) {
                    side[0].join(10_000);
                }
                Launch l = new Launch(List.copyOf(cmd), r.exit, r.out, r.err, seen.get(0));
                try (var list = Files.list(tmp)) {
                    l.leftovers = list.map(f -> f.getFileName().toString()).sorted().toList();
                }
                return l;
            } finally {
                Paths.deleteTree(tmp);
            }
        }
    }

    /**
     * No process that ran below the launcher is still alive, and no process anywhere
     * has {@code marker} (e.g. the path of the test's own copy of a program) in its
     * command line. Waits up to 5 s for processes that are on their way out.
     */
    void assertNoStrays(String marker) throws InterruptedException {
        assertNoStrays(seen, marker, command.toString());
        assertThat(leftovers).as("temporary files left behind by %s", command).isEmpty();
    }

    /**
     * Remembers every process below {@code p} and its latest command, polling every
     * 10 ms on a daemon thread until {@code p} ends (processes that come and go within
     * 10 ms can be missed; gdb, the program and the engine live far longer).
     */
    static Map<ProcessHandle, String> watch(Process p) {
        Map<ProcessHandle, String> seen = new ConcurrentHashMap<>();
        Thread watcher = new Thread(() -> {
            while (p.isAlive()) {
                p.descendants().forEach(h -> h.info().command()
                        .ifPresentOrElse(c -> seen.put(h, c), () -> seen.putIfAbsent(h, "?")));
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }, "stray-watcher");
        watcher.setDaemon(true);
        watcher.start();
        return seen;
    }

    static void assertNoStrays(Map<ProcessHandle, String> seen, String marker, String what) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        List<String> left;
        do {
            left = new ArrayList<>();
            for (ProcessHandle h : seen.keySet()) {
                if (h.isAlive()) {
                    left.add(h.pid() + " " + h.info().commandLine().orElse("?"));
                }
            }
            if (marker != null) {
                for (ProcessHandle h : (Iterable<ProcessHandle>) ProcessHandle.allProcesses()::iterator) {
                    if (h.isAlive() && h.info().commandLine().map(c -> c.contains(marker)).orElse(false)) {
                        left.add(h.pid() + " " + h.info().commandLine().orElse("?"));
                    }
                }
            }
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        assertThat(left).as("processes left behind by %s", what).isEmpty();
    }

    /** True when a gdb ran below the launcher (so the stray check had something to check). */
    boolean sawGdb() {
        return seen.values().stream().anyMatch(c -> c.endsWith("/gdb"));
    }

    /** A copy of a built program under a name no other process has, for the stray checks. */
    static Path uniqueCopy(Path program, Path dir) throws IOException {
        Path copy = dir.resolve(program.getFileName() + "-" + Long.toHexString(System.nanoTime()));
        Files.copy(program, copy);
        copy.toFile().setExecutable(true);
        return copy;
    }
}
