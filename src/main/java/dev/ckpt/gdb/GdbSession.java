package dev.ckpt.gdb;

import dev.ckpt.mi.MiAsyncRecord;
import dev.ckpt.mi.MiCommand;
import dev.ckpt.mi.MiOobRecord;
import dev.ckpt.mi.MiParseException;
import dev.ckpt.mi.MiParser;
import dev.ckpt.mi.MiRecord;
import dev.ckpt.mi.MiResultRecord;
import dev.ckpt.mi.MiStreamRecord;
import java.io.ByteArrayOutputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gdb process speaking GDB/MI (mi3) to us over pipes.
 *
 * <p>Commands go out with increasing tokens; each {@code ^done}/{@code ^running}/
 * {@code ^error} is matched to its command by token. {@code ^error} becomes a
 * {@link GdbErrorException} carrying gdb's msg. Async records and stream text go to
 * {@link MiListener}s; {@code *stopped} records also queue up for
 * {@link #awaitStop}; the inferior's pid comes from {@code =thread-group-started}.
 * If gdb ends, every waiting call fails with {@link GdbDiedException} at once: no
 * call hangs on a dead gdb. Timeouts give {@link GdbTimeoutException}.
 *
 * <p>Cleanup: {@link #close} (and a JVM shutdown hook, for Ctrl-C and SIGTERM) ends
 * gdb and the program it started; a process gdb only attached to ({@link
 * #attachingTo}) is detached from, never killed.
 *
 * <p>Set the environment variable {@code CKPT_MI_LOG} to a file name to log the MI
 * traffic.
 */
public final class GdbSession implements AutoCloseable {
    /** Timeout of ordinary commands. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final Object DIED = new Object();

    private final GdbProcess process;
    private final AtomicLong nextToken = new AtomicLong(1);
    private final Map<Long, CompletableFuture<MiResultRecord>> pending = new ConcurrentHashMap<>();
    private final List<MiListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Object> stops = new LinkedBlockingQueue<>();
    private final CountDownLatch firstPrompt = new CountDownLatch(1);
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Object writeLock = new Object();
    private final Thread shutdownHook;
    private final PrintStream miLog;

    private volatile boolean dead;
    private volatile GdbDiedException death;
    private volatile Long inferiorPid;
    /** Taken when gdb names the pid: a handle remembers the start time, so a reused pid is never killed. */
    private volatile ProcessHandle inferiorHandle;
    private volatile Integer inferiorExitCode;
    private volatile boolean running;
    private volatile Long attachedPid;
    private volatile boolean closed;

    private GdbSession(GdbProcess process, PrintStream miLog) {
        this.process = process;
        this.miLog = miLog;
        this.shutdownHook = new Thread(this::emergencyStop, "ckpt-gdb-cleanup");
    }

    /**
     * Starts {@code gdb --interpreter=mi3 -q -nx} (under {@code setsid} when
     * {@code newSession}: gdb and the program then have no controlling terminal, so a
     * program reading the terminal through its path is never stopped by SIGTTIN,
     * and Ctrl-C reaches only us) and waits for its first prompt.
     */
    public static GdbSession start(Path gdb, boolean newSession, Map<String, String> env, Path cwd)
            throws GdbException {
        List<String> cmd = new ArrayList<>();
        Optional<Path> setsid = newSession ? Tools.onPath("setsid") : Optional.empty();
        setsid.ifPresent(s -> cmd.add(s.toString()));
        cmd.add(gdb.toString());
        cmd.addAll(List.of("--interpreter=mi3", "-q", "-nx"));
        PrintStream log = null;
        String logName = System.getenv("CKPT_MI_LOG");
        if (logName != null && !logName.isBlank()) {
            try {
                log = new PrintStream(Files.newOutputStream(Path.of(logName)), true, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new GdbException("CKPT_MI_LOG: " + logName + ": " + e.getMessage(), e);
            }
        }
        GdbSession s = new GdbSession(GdbProcess.start(cmd, env, cwd), log);
        Runtime.getRuntime().addShutdownHook(s.shutdownHook);
        s.startReaders();
        try {
            s.awaitFirstPrompt(Duration.ofSeconds(60));
        } catch (GdbException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public void addListener(MiListener l) {
        listeners.add(l);
    }

    public void removeListener(MiListener l) {
        listeners.remove(l);
    }

    /** gdb's own pid. */
    public long gdbPid() {
        return process.pid();
    }

    /** The pid of the inferior, from {@code =thread-group-started}, once gdb has started or attached to it. */
    public OptionalLong inferiorPid() {
        Long p = inferiorPid;
        return p == null ? OptionalLong.empty() : OptionalLong.of(p);
    }

    /** The inferior's exit status from {@code =thread-group-exited}, when it has exited and gdb gave one. */
    public Optional<Integer> inferiorExitCode() {
        return Optional.ofNullable(inferiorExitCode);
    }

    /**
     * Declares that the next inferior is a process gdb attaches to: cleanup then
     * detaches from it (or lets the kernel do so when gdb has to be killed) and never
     * kills it.
     */
    public void attachingTo(long pid) {
        attachedPid = pid;
    }

    public boolean isAlive() {
        return !dead && process.isAlive();
    }

    /** Runs {@code command} with {@link #DEFAULT_TIMEOUT}. */
    public MiResultRecord execute(MiCommand command) throws GdbException {
        return execute(command, DEFAULT_TIMEOUT);
    }

    /** Runs a CLI command through {@code -interpreter-exec console}. */
    public MiResultRecord console(String cliCommand) throws GdbException {
        return execute(MiCommand.console(cliCommand), DEFAULT_TIMEOUT);
    }

    /**
     * Sends {@code command} and waits for its result record.
     *
     * @param timeout how long to wait; null waits as long as gdb lives
     * @throws GdbErrorException gdb answered {@code ^error}
     * @throws GdbDiedException gdb ended before answering
     * @throws GdbTimeoutException no answer in time
     */
    public MiResultRecord execute(MiCommand command, Duration timeout) throws GdbException {
        long token = nextToken.getAndIncrement();
        CompletableFuture<MiResultRecord> f = new CompletableFuture<>();
        pending.put(token, f);
        if (dead) {
            pending.remove(token);
            throw diedWhile(command);
        }
        String line = command.toLine(token);
        synchronized (writeLock) {
            try {
                OutputStream out = process.stdin();
                out.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (miLog != null) {
                    miLog.println("<- " + line);
                }
            } catch (IOException e) {
                pending.remove(token);
                awaitDeath();
                throw diedWhile(command);
            }
        }
        MiResultRecord r;
        try {
            r = timeout == null ? f.get() : f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(token);
            throw new GdbTimeoutException("gdb did not answer " + command.operation() + " within "
                    + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw diedWhile(command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.remove(token);
            throw new GdbException("interrupted while waiting for gdb");
        }
        if (r.isError()) {
            throw new GdbErrorException(command, r.errorMessage(), r.getString("code").orElse(null));
        }
        return r;
    }

    /**
     * Waits for the next {@code *stopped}.
     *
     * @param timeout null waits as long as gdb lives
     */
    public StopEvent awaitStop(Duration timeout) throws GdbException {
        Object o;
        try {
            o = timeout == null ? stops.take() : stops.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GdbException("interrupted while waiting for the program to stop");
        }
        if (o == null) {
            throw new GdbTimeoutException("the program did not stop within " + timeout.toSeconds() + " s");
        }
        if (o == DIED) {
            stops.add(DIED);
            throw death;
        }
        return (StopEvent) o;
    }

    /** Forgets stops not yet taken. */
    public void clearStops() {
        stops.removeIf(o -> o != DIED);
    }

    /** Asks gdb to quit ({@code -gdb-exit}) and waits for it to end. */
    public void quit(Duration wait) throws GdbException {
        if (dead) {
            return;
        }
        try {
            execute(MiCommand.of("-gdb-exit"), wait);
        } catch (GdbDiedException e) {
            // it went while answering: that is what we asked for
        }
        try {
            process.waitFor(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends everything this session started: SIGKILLs the program gdb started (never
     * a process gdb attached to: that one is detached from), asks gdb to quit, then
     * kills gdb and anything left below it. Safe to call more than once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            killOwnInferior();
            if (isAlive()) {
                if (attachedPid != null && !running) {
                    try {
                        execute(MiCommand.of("-target-detach"), Duration.ofSeconds(10));
                    } catch (GdbException e) {
                        // gdb detaches (or the kernel does, when we kill gdb) anyway
                    }
                }
                if (!running) {
                    try {
                        quit(Duration.ofSeconds(5));
                    } catch (GdbException e) {
                        // killed below
                    }
                }
            }
            process.killTree();
            killOwnInferior();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs or ran
            }
            if (miLog != null) {
                miLog.close();
            }
        }
    }

    /** The shutdown hook: no MI traffic, only signals. */
    private void emergencyStop() {
        if (closed) {
            return;
        }
        killOwnInferior();
        process.killTree();
        killOwnInferior();
    }

    private void killOwnInferior() {
        Long pid = inferiorPid;
        ProcessHandle h = inferiorHandle;
        if (pid == null || h == null || (attachedPid != null && attachedPid.equals(pid))) {
            return;
        }
        // the handle carries the start time: if the pid has been reused since, nothing is killed
        if (h.isAlive()) {
            h.destroyForcibly();
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // reported by the stray-process checks of the tests, if ever
            }
        }
    }

    // ---- reading --------------------------------------------------------------

    private void startReaders() {
        Thread out = new Thread(this::readStdout, "gdb-mi-reader");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(this::readStderr, "gdb-stderr-reader");
        err.setDaemon(true);
        err.start();
    }

    private void awaitFirstPrompt(Duration timeout) throws GdbException {
        try {
            long end = System.nanoTime() + timeout.toNanos();
            while (!firstPrompt.await(20, TimeUnit.MILLISECONDS)) {
                if (dead) {
                    throw death;
                }
                if (System.nanoTime() > end) {
                    throw new GdbTimeoutException("gdb did not start within " + timeout.toSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GdbException("interrupted while starting gdb");
        }
    }

    private void readStdout() {
        try (InputStream in = new BufferedInputStream(process.stdout(), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    handleLine(line.toString(StandardCharsets.ISO_8859_1));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
            if (line.size() > 0) {
                handleLine(line.toString(StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            // the pipe went away with gdb
        } finally {
            onEndOfOutput();
            process.readerDone();
        }
    }

    private void readStderr() {
        try (InputStream in = new BufferedInputStream(process.stderr())) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    stderrLine(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
            if (line.size() > 0) {
                stderrLine(line.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // gone with gdb
        } finally {
            process.readerDone();
        }
    }

    private void stderrLine(String l) {
        synchronized (stderrTail) {
            stderrTail.addLast(l);
            while (stderrTail.size() > 5) {
                stderrTail.removeFirst();
            }
        }
        if (miLog != null) {
            miLog.println("!! " + l);
        }
        for (MiListener li : listeners) {
            li.onStderr(l);
        }
    }

    private void handleLine(String raw) {
        String l = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (miLog != null) {
            miLog.println("-> " + l);
        }
        if (MiParser.isPrompt(l)) {
            firstPrompt.countDown();
            return;
        }
        if (l.isEmpty()) {
            return;
        }
        MiRecord r;
        try {
            r = MiParser.parseRecord(l);
        } catch (MiParseException e) {
            for (MiListener li : listeners) {
                li.onUnparsed(l, e);
            }
            return;
        }
        if (r instanceof MiResultRecord rr) {
            if (rr.token() != null) {
                CompletableFuture<MiResultRecord> f = pending.remove(rr.token());
                if (f != null) {
                    f.complete(rr);
                }
            }
            return;
        }
        if (r instanceof MiAsyncRecord a) {
            switch (a.asyncClass()) {
                case "thread-group-started" -> a.getString("pid").ifPresent(p -> {
                    long pid = Long.parseLong(p);
                    inferiorHandle = ProcessHandle.of(pid).orElse(null);
                    inferiorPid = pid;
                    inferiorExitCode = null;
                });
                case "thread-group-exited" -> a.getString("exit-code")
                        .ifPresent(c -> inferiorExitCode = Integer.parseInt(c, 8));
                case "running" -> running = true;
                case "stopped" -> running = false;
                default -> { }
            }
        }
        for (MiListener li : listeners) {
            li.onRecord((MiOobRecord) r);
        }
        // queued after the listeners saw it: whoever waits for the stop finds them up to date
        if (r instanceof MiAsyncRecord a && a.asyncClass().equals("stopped")) {
            stops.add(new StopEvent(a));
        }
    }

    private void onEndOfOutput() {
        String how = process.describeEnd(Duration.ofSeconds(2));
        String tail;
        synchronized (stderrTail) {
            tail = stderrTail.isEmpty() ? "" : " (gdb said: " + String.join(" / ", stderrTail) + ")";
        }
        death = new GdbDiedException("gdb " + how + tail);
        dead = true;
        for (Long t : List.copyOf(pending.keySet())) {
            CompletableFuture<MiResultRecord> f = pending.remove(t);
            if (f != null) {
                f.completeExceptionally(death);
            }
        }
        stops.add(DIED);
    }

    private void awaitDeath() {
        for (int i = 0; i < 100 && !dead; i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private GdbDiedException diedWhile(MiCommand command) {
        GdbDiedException d = death;
        String why = d != null ? d.getMessage() : "gdb is gone";
        return new GdbDiedException(why + " during " + command.operation());
    }

    /** Collects console and log text; attach with {@link #addListener}. */
    public static final class TextCollector implements MiListener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void onRecord(MiOobRecord record) {
            if (record instanceof MiStreamRecord s && s.kind() != MiStreamRecord.Kind.TARGET) {
                text.append(s.text());
            }
        }

        public synchronized String text() {
            return text.toString();
        }
    }
}
