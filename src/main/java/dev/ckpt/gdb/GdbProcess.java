package dev.ckpt.gdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.apache.commons.exec.ProcessDestroyer;

/**
 * The gdb process, started through Apache Commons Exec with its stdin, stdout and
 * stderr as pipes to us. Commons Exec hands us the {@link Process} through the
 * {@link ProcessDestroyer} seam and the pipes through the {@link ExecuteStreamHandler}
 * seam; {@link #killTree} ends gdb and every process below it (the program it
 * started, the shell that starts it).
 */
final class GdbProcess implements ProcessDestroyer, ExecuteStreamHandler {
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch readersDone = new CountDownLatch(2);
    private final DefaultExecuteResultHandler result = new DefaultExecuteResultHandler();
    private volatile Process process;
    private volatile OutputStream stdin;
    private volatile InputStream stdout;
    private volatile InputStream stderr;

    private GdbProcess() {}

    /** Starts {@code command} (gdb and its arguments) in {@code cwd} with environment {@code env}. */
    static GdbProcess start(List<String> command, Map<String, String> env, Path cwd) throws GdbException {
        GdbProcess p = new GdbProcess();
        CommandLine cl = new CommandLine(command.get(0));
        for (String a : command.subList(1, command.size())) {
            cl.addArgument(a, false);
        }
        DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(p).setWorkingDirectory(cwd).get();
        executor.setExitValues(null);
        executor.setProcessDestroyer(p);
        try {
            executor.execute(cl, env, p.result);
        } catch (IOException e) {
            throw new GdbException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            while (!p.started.await(50, TimeUnit.MILLISECONDS)) {
                if (p.result.hasResult()) {
                    Exception e = p.result.getException();
                    Throwable cause = e != null && e.getCause() != null ? e.getCause() : e;
                    throw new GdbException("cannot start " + command.get(0)
                            + (cause != null ? ": " + cause.getMessage() : ""));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GdbException("interrupted while starting gdb");
        }
        return p;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    OutputStream stdin() {
        return stdin;
    }

    InputStream stdout() {
        return stdout;
    }

    InputStream stderr() {
        return stderr;
    }

    /** Called by the session's two reader threads when they reach end of file. */
    void readerDone() {
        readersDone.countDown();
    }

    /** How gdb ended, once it has: "exited with status 1", "was killed by signal 9". */
    String describeEnd(Duration wait) {
        try {
            if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return "closed its output";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "closed its output";
        }
        int status = process.exitValue();
        return status > 128 ? "was killed by signal " + (status - 128) : "exited with status " + status;
    }

    /** Waits for gdb to end. */
    boolean waitFor(Duration d) throws InterruptedException {
        return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * SIGKILLs gdb's descendants (the shell and the program it started, never a
     * process gdb only attached to: those are not its children) and then gdb, and
     * waits for gdb to go.
     */
    void killTree() {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> below = new ArrayList<>();
        try {
            p.toHandle().descendants().forEach(below::add);
        } catch (RuntimeException e) {
            // gdb already gone: nothing below it that we can still name
        }
        for (ProcessHandle h : below) {
            h.destroyForcibly();
        }
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- ProcessDestroyer: Commons Exec hands us the Process here -------------

    @Override
    public boolean add(Process p) {
        process = p;
        started.countDown();
        return true;
    }

    @Override
    public boolean remove(Process p) {
        return true;
    }

    @Override
    public int size() {
        return process == null ? 0 : 1;
    }

    // ---- ExecuteStreamHandler: and the pipes here -------------------------------

    @Override
    public void setProcessInputStream(OutputStream os) {
        stdin = os;
    }

    @Override
    public void setProcessOutputStream(InputStream is) {
        stdout = is;
    }

    @Override
    public void setProcessErrorStream(InputStream is) {
        stderr = is;
    }

    @Override
    public void start() {
        // the session starts its reader threads once start() has returned the process
    }

    /** Called by Commons Exec after gdb ended: let the readers drain what gdb wrote last. */
    @Override
    public void stop() {
        try {
            readersDone.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
