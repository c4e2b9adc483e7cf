package dev.ckpt.gdb;

import dev.ckpt.gdb.CheckpointException.Reason;
import dev.ckpt.mi.MiCommand;
import dev.ckpt.mi.MiList;
import dev.ckpt.mi.MiResultRecord;
import dev.ckpt.mi.MiTuple;
import dev.ckpt.mi.MiValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The two checkpoint workflows over gdb/MI:
 * <ul>
 * <li>{@link #runToCheckpoint}: start a program under gdb, stop at hit N+1 of a
 * location (gdb's {@code continue N} after the first stop), write the checkpoint,
 * kill the program, quit gdb;</li>
 * <li>{@link #dump}: attach to a running process, write the checkpoint, detach (or
 * kill).</li>
 * </ul>
 * The checkpoint is written by {@code ckpt-save FILE} from {@code gdb-scripts/ckpt.py};
 * hits are counted by an internal breakpoint from {@code gdb-scripts/driver.py}
 * ({@code -ckpt-break}), which costs no MI traffic per hit.
 */
public final class GdbDriver {
    /** Loading a program's symbols (a big program with full debug info takes a while). */
    private static final Duration SLOW = Duration.ofMinutes(10);

    private final Path gdb;
    private final Path scripts;
    private final Consumer<String> progress;

    /**
     * @param gdb the gdb executable
     * @param scripts the gdb-scripts directory (driver.py, ckpt.py)
     * @param progress receives one line per step (for stderr)
     */
    public GdbDriver(Path gdb, Path scripts, Consumer<String> progress) {
        this.gdb = gdb;
        this.scripts = scripts;
        this.progress = progress;
    }

    /**
     * What {@link #runToCheckpoints} is asked to do: checkpoint at hit {@code c+1} of
     * {@code location} for each {@code c} of {@code conts} (increasing), into the
     * matching file of {@code cores}; give up after {@code timeout} (null: never);
     * {@code env}: variables set for the program on top of our own environment.
     */
    public record RunRequest(Path program, List<String> args, String location, List<Long> conts, Path stdinFile,
            List<Path> cores, Duration timeout, Map<String, String> env) {
        public RunRequest {
            args = List.copyOf(args);
            env = Map.copyOf(env);
            conts = List.copyOf(conts);
            cores = List.copyOf(cores);
            if (conts.isEmpty() || conts.size() != cores.size()) {
                throw new IllegalArgumentException("one core per checkpoint");
            }
            for (int i = 0; i < conts.size(); i++) {
                if (conts.get(i) < 0 || (i > 0 && conts.get(i) <= conts.get(i - 1))) {
                    throw new IllegalArgumentException("conts must be increasing and not negative");
                }
            }
        }

        /** Several checkpoints in our own environment. */
        public RunRequest(Path program, List<String> args, String location, List<Long> conts, Path stdinFile,
                List<Path> cores, Duration timeout) {
            this(program, args, location, conts, stdinFile, cores, timeout, Map.of());
        }

        /** One checkpoint at hit {@code cont+1}, no time limit, with {@code env} added. */
        public RunRequest(Path program, List<String> args, String location, long cont, Path stdinFile, Path core,
                Map<String, String> env) {
            this(program, args, location, List.of(cont), stdinFile, List.of(core), null, env);
        }

        public long cont() {
            return conts.get(0);
        }

        /** A run in our own environment. */
        public RunRequest(Path program, List<String> args, String location, long cont, Path stdinFile, Path core) {
            this(program, args, location, List.of(cont), stdinFile, List.of(core), null, Map.of());
        }
    }

    /**
     * A written checkpoint.
     *
     * @param pid the process that was checkpointed
     * @param stdinOffset the program's stdin offset at the checkpoint when stdin was a regular file, else -1
     */
    public record Checkpoint(Path core, long pid, String where, long bytes, Duration took, long stdinOffset) {}

    /** Runs {@code req.program()} to its (first) checkpoint and writes it. */
    public Checkpoint runToCheckpoint(RunRequest req) throws CheckpointException {
        return runToCheckpoints(req).get(0);
    }

    /**
     * Runs {@code req.program()} to each of its checkpoints in turn and writes one image at
     * each; then kills the program. A checkpoint not reached within {@code req.timeout()}
     * (counted from the start) is {@link Reason#TIMED_OUT}.
     */
    public List<Checkpoint> runToCheckpoints(RunRequest req) throws CheckpointException {
        long self = ProcessHandle.current().pid();
        ProgramStdio stdio = ProgramStdio.plan(self, req.stdinFile());
        String program = req.program().toString();
        long deadline = req.timeout() == null ? Long.MAX_VALUE : System.nanoTime() + req.timeout().toNanos();
        try (GdbSession s = startSession()) {
            prepare(s, true);
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(req.env()).entrySet()) {
                s.console("set environment " + e.getKey() + "=" + e.getValue());
            }
            try {
                s.execute(MiCommand.of("-file-exec-and-symbols", program), SLOW);
            } catch (GdbErrorException e) {
                throw new CheckpointException(Reason.BAD_INPUT, program + ": " + stripDot(e.gdbMessage()), e);
            }
            MiResultRecord bp;
            try {
                bp = s.execute(MiCommand.of("-ckpt-break", req.location(), Long.toString(req.cont())));
            } catch (GdbErrorException e) {
                throw new CheckpointException(Reason.NO_CHECKPOINT,
                        "breakpoint " + req.location() + ": " + stripDot(e.gdbMessage()), e);
            }
            int number = Integer.parseInt(bp.getString("number").orElseThrow());
            StringBuilder at = new StringBuilder();
            for (long c : req.conts()) {
                at.append(at.length() == 0 ? "" : ", ").append(c + 1);
            }
            progress.accept("breakpoint at " + locations(bp) + "; checkpoint at hit " + at);

            StringBuilder args = new StringBuilder(stdio.redirections());
            for (String a : req.args()) {
                args.append(' ').append(ShellWords.shell(a));
            }
            s.console("set args " + args);
            s.clearStops();
            try {
                s.execute(MiCommand.of("-exec-run"), SLOW);
            } catch (GdbErrorException e) {
                throw new CheckpointException(Reason.GDB_FAILED, program + ": gdb could not start it: "
                        + stripDot(e.gdbMessage()), e);
            }
            List<Checkpoint> written = new ArrayList<>();
            for (int i = 0; i < req.conts().size(); i++) {
                long cont = req.conts().get(i);
                if (i > 0) {
                    s.execute(MiCommand.of("-ckpt-ignore", Long.toString(cont - req.conts().get(i - 1) - 1)));
                    s.clearStops();
                    s.execute(MiCommand.of("-exec-continue"), SLOW);
                }
                StopEvent stop = awaitCheckpoint(s, req, cont, deadline);
                long pid = s.inferiorPid().orElse(-1);
                if (!stop.isBreakpointHit() || stop.breakpointNumber().orElse(0) != number) {
                    String hits = hits(s);
                    if (stop.isExit()) {
                        throw new CheckpointException(Reason.NO_CHECKPOINT, req.program().getFileName() + " "
                                + stop.describeExit() + " before the checkpoint: " + req.location() + " " + hits
                                + ", the checkpoint is at hit " + (cont + 1));
                    }
                    throw new CheckpointException(Reason.NO_CHECKPOINT, req.program().getFileName()
                            + " stopped at " + stop.where() + " (" + describeStop(stop) + ") before the checkpoint");
                }
                progress.accept("process " + pid + " stopped at " + stop.where() + ", hit " + (cont + 1));
                long stdinOffset = stdio.stdinRegular() ? ProgramStdio.offsetOf(pid, 0) : -1;
                // the image records where it was taken (CKPT_NT_ORIGIN): ckpt inspect shows it
                s.console("python set_origin(bytes.fromhex('" + HexFormat.of().formatHex(
                        req.location().getBytes(StandardCharsets.UTF_8)) + "').decode('utf-8', 'surrogateescape'), "
                        + (cont + 1) + ")");
                written.add(save(s, req.cores().get(i), pid, stop.where(), stdinOffset));
            }
            try {
                s.console("kill");
            } catch (GdbErrorException e) {
                // close() kills it
            }
            s.quit(Duration.ofSeconds(10));
            return written;
        } catch (GdbException e) {
            throw gdbFailed(e, "while running " + req.program().getFileName());
        }
    }

    /** The next stop, or {@link Reason#TIMED_OUT} at the deadline (the program is then killed with gdb). */
    private StopEvent awaitCheckpoint(GdbSession s, RunRequest req, long cont, long deadline)
            throws GdbException, CheckpointException {
        if (deadline == Long.MAX_VALUE) {
            return s.awaitStop(null);
        }
        long left = Math.max(1, deadline - System.nanoTime());
        try {
            return s.awaitStop(Duration.ofNanos(left));
        } catch (GdbTimeoutException e) {
            throw new CheckpointException(Reason.TIMED_OUT, req.program().getFileName() + " did not reach the checkpoint ("
                    + req.location() + ", hit " + (cont + 1) + ") within " + formatDuration(req.timeout())
                    + " (--timeout); it was killed", e);
        }
    }

    private static String formatDuration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /**
     * Attaches to {@code pid}, writes the checkpoint to {@code core}, then detaches
     * (the process runs on) or, with {@code kill}, kills it. A failure never kills
     * the process.
     */
    public Checkpoint dump(long pid, Path core, boolean kill) throws CheckpointException {
        if (ProcessHandle.of(pid).isEmpty()) {
            throw new CheckpointException(Reason.BAD_INPUT, pid + ": no such process");
        }
        try (GdbSession s = startSession()) {
            prepare(s, false);
            s.attachingTo(pid);
            try {
                s.execute(MiCommand.of("-target-attach", Long.toString(pid)), SLOW);
            } catch (GdbErrorException e) {
                throw new CheckpointException(Reason.GDB_FAILED, "cannot attach to process " + pid + ": "
                        + stripDot(e.gdbMessage()), e);
            }
            StopEvent stop = s.awaitStop(Duration.ofSeconds(30));
            progress.accept("attached to process " + pid + ", stopped in " + stop.frame()
                    .flatMap(f -> f.getString("func")).orElse(stop.where()));
            Checkpoint c = save(s, core, pid, stop.where(), -1);
            if (kill) {
                s.console("kill");
                progress.accept("killed process " + pid);
            } else {
                s.execute(MiCommand.of("-target-detach"));
                progress.accept("detached from process " + pid + ": it keeps running");
            }
            s.quit(Duration.ofSeconds(10));
            return c;
        } catch (GdbException e) {
            throw gdbFailed(e, "while checkpointing process " + pid);
        }
    }

    // ---- steps ------------------------------------------------------------------

    private GdbSession startSession() throws CheckpointException {
        Map<String, String> env = new HashMap<>(System.getenv());
        // gdb starts the program with $SHELL -c "exec PROGRAM ARGS": the redirections need a POSIX shell
        env.put("SHELL", "/bin/sh");
        try {
            GdbSession s = GdbSession.start(gdb, true, env, Path.of("").toAbsolutePath());
            s.addListener(new MiListener() {
                @Override
                public void onUnparsed(String line, dev.ckpt.mi.MiParseException problem) {
                    progress.accept("gdb printed a line that is not MI (" + problem.getMessage() + ")");
                }
            });
            return s;
        } catch (GdbException e) {
            throw new CheckpointException(Reason.GDB_FAILED, "cannot start gdb (" + gdb + "): " + e.getMessage(), e);
        }
    }

    /** Settings and scripts; {@code forRun}: also the program's environment and signals. */
    private void prepare(GdbSession s, boolean forRun) throws GdbException, CheckpointException {
        for (String set : List.of("confirm off", "pagination off", "width 0", "height 0",
                "breakpoint pending off", "print thread-events off")) {
            s.execute(MiCommand.of("-gdb-set", set.split(" ")));
        }
        if (forRun) {
            s.execute(MiCommand.of("-gdb-set", "startup-with-shell", "on"));
            s.execute(MiCommand.of("-gdb-set", "disable-randomization", "on"));
            // the program sees our environment: gdb adds LINES and COLUMNS, and we gave gdb SHELL=/bin/sh
            for (String var : List.of("SHELL", "LINES", "COLUMNS")) {
                String v = System.getenv(var);
                s.console(v == null ? "unset environment " + var : "set environment " + var + "=" + v);
            }
            // signals go to the program as in a run without gdb; none stops it
            s.console("handle all nostop noprint pass");
            s.console("handle SIGINT nostop noprint pass");
        }
        for (String script : List.of("driver.py", "ckpt.py")) {
            Path p = scripts.resolve(script);
            if (!Files.isRegularFile(p)) {
                throw new CheckpointException(Reason.MISSING_TOOL, p + ": missing (gdb-scripts not found)");
            }
            try {
                s.console("source " + p);
            } catch (GdbErrorException e) {
                throw new CheckpointException(Reason.MISSING_TOOL, p + ": gdb cannot load it: "
                        + stripDot(e.gdbMessage()) + " (gdb needs Python support)", e);
            }
        }
    }

    private Checkpoint save(GdbSession s, Path core, long pid, String where, long stdinOffset)
            throws GdbException, CheckpointException {
        Path abs = core.toAbsolutePath();
        long t0 = System.nanoTime();
        try {
            s.execute(MiCommand.console("ckpt-save " + ShellWords.gdbArgv(abs.toString())), null);
        } catch (GdbErrorException e) {
            throw new CheckpointException(Reason.CHECKPOINT_FAILED, "checkpoint " + abs + ": "
                    + stripDot(e.gdbMessage()), e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        long bytes;
        try {
            bytes = Files.size(abs);
        } catch (IOException e) {
            throw new CheckpointException(Reason.CHECKPOINT_FAILED, "checkpoint " + abs
                    + ": not there after ckpt-save (" + e.getMessage() + ")", e);
        }
        progress.accept(String.format(Locale.ROOT, "checkpoint %s: %.1f MiB written in %.2f s", abs,
                bytes / 1048576.0, took.toNanos() / 1e9));
        return new Checkpoint(abs, pid, where, bytes, took, stdinOffset);
    }

    private static String hits(GdbSession s) {
        try {
            long h = Long.parseLong(s.execute(MiCommand.of("-ckpt-hits")).getString("hits").orElse("-1"));
            return h == 0 ? "was never hit" : h == 1 ? "was hit once" : "was hit " + h + " times";
        } catch (GdbException | NumberFormatException e) {
            return "was hit an unknown number of times";
        }
    }

    private static String describeStop(StopEvent stop) {
        return stop.signalName().map(sig -> "signal " + sig).orElse(stop.reason().isEmpty() ? "stopped" : stop.reason());
    }

    /** "linklist.c:29" (or several, comma-separated) from a -ckpt-break result. */
    private static String locations(MiResultRecord bp) {
        List<String> out = new ArrayList<>();
        MiList locs = bp.getList("locations").orElse(MiList.ofValues(List.of()));
        for (MiValue v : locs.values()) {
            MiTuple t = (MiTuple) v;
            out.add(t.getString("file").map(f -> f + ":" + t.getString("line").orElse("?"))
                    .orElseGet(() -> t.getString("addr").orElse("?")));
        }
        return String.join(", ", out);
    }

    private static CheckpointException gdbFailed(GdbException e, String context) {
        return new CheckpointException(Reason.GDB_FAILED, e.getMessage() + " " + context, e);
    }

    private static String stripDot(String msg) {
        String m = msg.strip();
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }
}
