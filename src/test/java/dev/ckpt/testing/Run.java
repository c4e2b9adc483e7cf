package dev.ckpt.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real command for a test, with a time limit, and keeps what it printed.
 * A command still running at its limit is killed with its descendants and the
 * test fails: no test may hang the build or leave a process behind.
 *
 * <p>The one runner of the test code for commands run to their end (TestCores.run and
 * the CLI tests' Launch are built on it; {@link #ckpt} runs ckpt itself in this JVM);
 * {@link Child} is the one for processes a test talks to while they run.
 */
public final class Run {
    public final List<String> command;
    public final int exit;
    public final String out;
    public final String err;

    private Run(List<String> command, int exit, String out, String err) {
        this.command = command;
        this.exit = exit;
        this.out = out;
        this.err = err;
    }

    /** Builder-style options for one command. */
    public static final class Spec {
        private final List<String> cmd;
        private Path dir;
        private Path stdin;
        private byte[] stdinBytes;
        private Duration timeout = Duration.ofSeconds(60);
        private final Map<String, String> env = new java.util.HashMap<>();
        private java.util.function.Consumer<Process> started;
        private java.util.function.Function<Run, String> onTimeout;

        private Spec(List<String> cmd) {
            this.cmd = cmd;
        }

        public Spec dir(Path d) { this.dir = d; return this; }
        public Spec stdin(Path f) { this.stdin = f; return this; }
        public Spec timeout(Duration t) { this.timeout = t; return this; }
        public Spec env(String k, String v) { this.env.put(k, v); return this; }
        public Spec env(Map<String, String> m) { this.env.putAll(m); return this; }
        /** TEXT on its stdin (then end of file), instead of /dev/null. */
        public Spec stdin(byte[] text) { this.stdinBytes = text; return this; }
        /** Called right after the process started, on the test's thread (to watch it, to send it signals). */
        public Spec started(java.util.function.Consumer<Process> c) { this.started = c; return this; }
        /** At the time limit: the failure message, from what was printed so far (default: the command and stderr). */
        public Spec onTimeout(java.util.function.Function<Run, String> f) { this.onTimeout = f; return this; }

        public Run go() throws IOException, InterruptedException {
            Path tmp = Files.createTempDirectory("ckpt-run");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd);
                if (dir != null) {
                    pb.directory(dir.toFile());
                }
                pb.environment().putAll(env);
                if (stdinBytes == null) {
                    pb.redirectInput(stdin != null ? ProcessBuilder.Redirect.from(stdin.toFile())
                            : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                Path o = tmp.resolve("out"), e = tmp.resolve("err");
                pb.redirectOutput(o.toFile());
                pb.redirectError(e.toFile());
                Process p = pb.start();
                if (started != null) {
                    started.accept(p);
                }
                if (stdinBytes != null) {
                    try (java.io.OutputStream in = p.getOutputStream()) {
                        in.write(stdinBytes);
                    } catch (IOException closedEarly) {
                        // the command did not read all of it: its business
                    }
                }
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    Run partial = new Run(List.copyOf(cmd), -1, Files.readString(o, StandardCharsets.ISO_8859_1),
                            Files.readString(e, StandardCharsets.ISO_8859_1));
                    throw new AssertionError(onTimeout != null ? onTimeout.apply(partial)
                            : "timed out after " + timeout + ": " + cmd + "\nstderr: " + partial.err);
                }
                return new Run(List.copyOf(cmd), p.exitValue(), Files.readString(o, StandardCharsets.ISO_8859_1),
                        Files.readString(e, StandardCharsets.ISO_8859_1));
            } finally {
                try (var s = Files.list(tmp)) {
                    for (Path f : (Iterable<Path>) s::iterator) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(tmp);
            }
        }
    }

    public static Spec of(String... cmd) {
        return new Spec(new ArrayList<>(List.of(cmd)));
    }

    public static Spec of(List<String> cmd) {
        return new Spec(new ArrayList<>(cmd));
    }

    /**
     * Runs ckpt in this JVM ({@code Main.run}) with ARGS (each one's {@code toString()}),
     * and keeps its exit status and what it printed. No time limit: nothing is started
     * that the command itself does not end.
     */
    public static Run ckpt(Object... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        List<String> a = new ArrayList<>();
        for (Object arg : args) {
            a.add(arg.toString());
        }
        int status = dev.ckpt.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                a.toArray(String[]::new));
        List<String> command = new ArrayList<>(List.of("ckpt"));
        command.addAll(a);
        return new Run(List.copyOf(command), status, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return command + " exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
