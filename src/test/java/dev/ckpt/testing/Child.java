package dev.ckpt.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real child process for the integration tests: stdin, stdout and stderr are
 * pipes (never files, so a checkpoint of the child records nothing a restart
 * could mistake for its own output), both outputs drained by threads. Every wait
 * has a time limit; {@link #close()} kills the process and everything it
 * started, so no test leaves strays behind.
 */
public final class Child implements AutoCloseable {
    /** Build directory (target/): {@link Build#target()}. */
    public static Path target() {
        return Build.target();
    }

    public static Path library() {
        return target().resolve("lib/libsavefds.so");
    }

    public static Path example(String name) {
        return Build.example(name);
    }

    public static Path nativeTest(String name) {
        return Build.feature(name);
    }

    public static Path restart() {
        return Build.restart();
    }

    private final Process process;
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final Thread outReader;
    private final Thread errReader;
    private final String name;

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        this.outReader = drain(process.getInputStream(), out);
        this.errReader = drain(process.getErrorStream(), err);
    }

    /** Starts {@code cmd} in {@code dir} with extra environment variables. */
    public static Child start(Path dir, Map<String, String> env, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().putAll(env);
        return new Child(String.join(" ", cmd), pb.start());
    }

    /**
     * Starts a program with libsavefds.so preloaded, through bash so that the
     * core limit can be set first: {@code ulimit -c LIMIT; LD_PRELOAD=... exec PROGRAM ARGS}.
     * The program keeps bash's pid. A hard limit below LIMIT (some containers)
     * gives the hard limit, as the seed's walkthrough would in such a shell.
     */
    public static Child preloaded(Path dir, String coreLimit, Map<String, String> env, List<String> program)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                "ulimit -c " + coreLimit + " 2>/dev/null || ulimit -c \"$(ulimit -H -c)\" || exit 99; "
                        + "export LD_PRELOAD=\"$0\"; exec \"$@\"",
                library().toString()));
        cmd.addAll(program);
        return start(dir, env, cmd);
    }

    private static Thread drain(InputStream in, StringBuffer sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sink.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                // the process went away
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public String out() {
        return out.toString();
    }

    public String err() {
        return err.toString();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public void write(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.ISO_8859_1));
        in.flush();
    }

    public void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits until stdout (or stderr) holds {@code needle}. */
    public void awaitOut(String needle, Duration limit) throws InterruptedException {
        awaitText(out, needle, limit, "stdout");
    }

    public void awaitErr(String needle, Duration limit) throws InterruptedException {
        awaitText(err, needle, limit, "stderr");
    }

    private void awaitText(StringBuffer sink, String needle, Duration limit, String what)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (sink.indexOf(needle) < 0) {
            if (System.nanoTime() > end) {
                fail("%s: no \"%s\" on %s within %s; stdout: %s; stderr: %s", name, needle, what, limit,
                        out, err);
            }
            if (!process.isAlive() && sink.indexOf(needle) < 0) {
                joinReaders();
                if (sink.indexOf(needle) >= 0) {
                    return;
                }
                fail("%s: ended (status %d) without \"%s\" on %s; stdout: %s; stderr: %s", name,
                        process.exitValue(), needle, what, out, err);
            }
            Thread.sleep(10);
        }
    }

    /** Waits for the end and returns the exit status (128+signal when killed). */
    public int waitFor(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            fail("%s: still running after %s; stdout: %s; stderr: %s", name, limit, out, err);
        }
        joinReaders();
        return process.exitValue();
    }

    private void joinReaders() throws InterruptedException {
        outReader.join(5000);
        errReader.join(5000);
    }

    /** Sends a signal ("QUIT", "USR1" ...) to a process with kill(1). */
    public static void signal(long pid, String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", sig, Long.toString(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            fail("kill -s %s %d hung", sig, pid);
        }
        if (kill.exitValue() != 0) {
            fail("kill -s %s %d: %s", sig, pid, new String(kill.getInputStream().readAllBytes()));
        }
    }

    /** The one descendant of this process (the restored program under restart), waiting for it to appear. */
    public long onlyDescendant(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            List<ProcessHandle> d = process.descendants().filter(ProcessHandle::isAlive).toList();
            if (d.size() == 1) {
                return d.get(0).pid();
            }
            Thread.sleep(10);
        }
        return fail("%s: no single child process within %s", name, limit);
    }

    /**
     * Waits until process {@code pid} runs untraced with a handler for signal
     * {@code sig}: a restored process is then fully restored (its handlers come
     * back just before restart detaches), so a signal reaches the program.
     */
    public static void awaitCaught(long pid, int sig, Duration limit) throws IOException, InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        Path status = Path.of("/proc", Long.toString(pid), "status");
        String last = "";
        while (System.nanoTime() < end) {
            try {
                last = Files.readString(status);
            } catch (IOException e) {
                fail("process %d is gone", pid);
            }
            long caught = 0;
            boolean traced = true;
            for (String line : last.split("\n")) {
                if (line.startsWith("SigCgt:")) {
                    caught = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                } else if (line.startsWith("TracerPid:")) {
                    traced = !line.substring(10).trim().equals("0");
                }
            }
            if (!traced && (caught & (1L << (sig - 1))) != 0) {
                return;
            }
            Thread.sleep(10);
        }
        fail("process %d did not come to catch signal %d within %s: %s", pid, sig, limit, last);
    }

    /** Kills the process and everything it started. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The lines of a text file, as one string. */
    public static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }
}
