package dev.ckpt.suite;

import dev.ckpt.restore.NativeEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of {@code restart --fork-server CORE} (docs/RESTART.md, "Fork server"):
 * the image is restored once, each case is a copy of that process.
 */
final class ForkServer implements Restarter {
    /** The engine could not serve this image (a threaded process): use full restores. */
    static final class Unsupported extends IOException {
        private static final long serialVersionUID = 1L;

        Unsupported(String m) {
            super(m);
        }
    }

    /** The engine refused the image as bad input (exit 2): e.g. a library changed since the checkpoint. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String m) {
            super(m);
        }
    }

    private static final String EOF = "\u0000eof";
    private static final Duration START = Duration.ofSeconds(60);

    private final Process process;
    private final OutputStream requests;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Path errors;

    private ForkServer(Process process, Path errors) {
        this.process = process;
        this.errors = errors;
        this.requests = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    replies.add(line);
                }
            } catch (IOException e) {
                // the engine is gone: EOF below
            }
            replies.add(EOF);
        }, "ckpt-fork-server-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the engine and waits for its template. */
    static ForkServer start(Path core) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("ckpt-fork-server-", ".err");
        Process p = new ProcessBuilder(NativeEngine.command(List.of("--fork-server"), null, core))
                .redirectError(errors.toFile()).start();
        ForkServer s = new ForkServer(p, errors);
        String first = s.replies.poll(START.toSeconds(), TimeUnit.SECONDS);
        if (first != null && first.startsWith("ready ")) {
            return s;
        }
        s.close();
        String why = first == null ? "no answer in " + START.toSeconds() + " s" : first;
        String err = Files.exists(errors) ? Files.readString(errors).strip() : "";
        Files.deleteIfExists(errors);
        if (why.startsWith("unsupported ")) {
            throw new Unsupported(why.substring(12));
        }
        if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 2) {
            throw new Refused(err.isEmpty() ? "the engine refused the image" : err.lines().findFirst().orElse(err));
        }
        throw new IOException("fork server did not start: " + (err.isEmpty() ? why : err.replace('\n', ' ')));
    }

    @Override
    public Ending run(Path stdin, Path stdout, Path stderr, Duration timeout) throws IOException, InterruptedException {
        for (Path p : List.of(stdin, stdout, stderr)) {
            String s = p.toString();
            if (s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0) {
                throw new IOException(s + ": a path with a tab or newline cannot go to the fork server");
            }
        }
        String req = "run\t" + stdin.toAbsolutePath() + "\t" + stdout.toAbsolutePath() + "\t" + stderr.toAbsolutePath() + "\n";
        requests.write(req.getBytes(StandardCharsets.UTF_8));
        requests.flush();
        String started = next(START);
        if (!started.startsWith("pid ")) {
            throw new IOException("fork server: " + started);
        }
        long pid = Long.parseLong(started.substring(4).trim());
        String end = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        boolean timedOut = false;
        if (end == null) {
            timedOut = true;
            // the copy is the engine's child and unreaped until the engine reports it: the pid is still ours
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            end = next(Duration.ofSeconds(30));
        }
        String[] w = end.split(" ");
        if (w.length != 3 || !w[1].equals(Long.toString(pid)) || !(w[0].equals("exit") || w[0].equals("signal"))) {
            throw new IOException("fork server: " + end);
        }
        int n = Integer.parseInt(w[2]);
        return new Ending(w[0].equals("exit") ? Expectation.exited(n) : Expectation.killed(n), timedOut, pid);
    }

    private String next(Duration wait) throws IOException, InterruptedException {
        String line = replies.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new IOException("fork server: no answer in " + wait.toSeconds() + " s");
        }
        if (line.equals(EOF)) {
            replies.add(EOF);
            String err = Files.exists(errors) ? Files.readString(errors).strip().replace('\n', ' ') : "";
            throw new IOException("fork server ended" + (err.isEmpty() ? "" : ": " + err));
        }
        return line;
    }

    @Override
    public String kind() {
        return "fork server";
    }

    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException e) {
            // gone already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(errors);
        } catch (IOException e) {
            // a temporary file left behind
        }
    }
}
