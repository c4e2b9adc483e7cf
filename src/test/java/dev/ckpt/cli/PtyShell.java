package dev.ckpt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An interactive bash with job control in a real pseudo-terminal, as a user has it:
 * util-linux's {@code script} gives {@code bash --norc --noediting -i} a pty and relays
 * what we type and what the terminal shows. {@link #run} types one command line and
 * returns its exit status and what the terminal showed meanwhile.
 */
final class PtyShell implements AutoCloseable {
    private final Process process;
    private final StringBuffer screen = new StringBuffer();
    private final Thread reader;
    private int commands;
    private int awaited;

    record Result(int status, String output) {}

    private PtyShell(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "pty-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static PtyShell start(Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("script", "-qefc", "bash --norc --noediting -i", "/dev/null")
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("TERM", "dumb");
        pb.environment().put("PS1", "$ ");
        PtyShell sh = new PtyShell(pb.start());
        Result r = sh.run("set -m; stty cols 500; case $- in *i*) echo interactive;; esac", Duration.ofSeconds(30));
        if (!r.output().contains("interactive")) {
            throw new AssertionError("no interactive shell in the pty: " + r.output());
        }
        return sh;
    }

    private void read() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                screen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1).replace("\r", ""));
            }
        } catch (IOException e) {
            // the shell ended
        }
    }

    /** Types {@code line} and waits for it to finish; its exit status is echoed after a marker. */
    Result run(String line, Duration timeout) {
        int id = ++commands;
        int from = screen.length();
        type(line + "; echo \"@@" + id + ":$?@@\"");
        Pattern done = Pattern.compile("@@" + id + ":(\\d+)@@");
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String seen = screen.substring(from);
            Matcher m = done.matcher(seen);
            if (m.find()) {
                return new Result(Integer.parseInt(m.group(1)), seen.substring(0, m.start()));
            }
            if (!process.isAlive()) {
                break;
            }
            sleep(50);
        }
        throw new AssertionError("the shell did not finish `" + line + "` within " + timeout + "; the terminal showed:\n"
                + screen.substring(from));
    }

    void type(String line) {
        try {
            OutputStream o = process.getOutputStream();
            o.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            o.flush();
        } catch (IOException e) {
            throw new AssertionError("the shell is gone: " + screen, e);
        }
    }

    /** Waits until the terminal shows {@code text} after what earlier awaits matched; the text after it stays. */
    String await(String text, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            int at = screen.indexOf(text, awaited);
            if (at >= 0) {
                String seen = screen.substring(awaited, at + text.length());
                awaited = at + text.length();
                return seen;
            }
            sleep(50);
        }
        throw new AssertionError("the terminal did not show `" + text + "` within " + timeout + "; it showed:\n"
                + screen.substring(awaited));
    }

    String screen() {
        return screen.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The state letter of /proc/PID/stat (R, S, T, t, Z...), or 0 when there is no such process. */
    static char state(long pid) {
        try {
            String st = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
            return st.charAt(st.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            type("exit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        reader.join(5_000);
    }
}
