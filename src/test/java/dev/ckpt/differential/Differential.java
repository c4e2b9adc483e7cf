package dev.ckpt.differential;

import dev.ckpt.testing.Build;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The differential harness: runs a program once uninterrupted (the reference),
 * then again, checkpoints it at a moment of its run, restarts it from the
 * checkpoint and compares everything it wrote with the reference, byte for byte.
 *
 * <p>Every external step has a time limit. Every process the harness starts is
 * remembered; {@link #killAll()} (called after each test) kills what is left.
 */
final class Differential {
    private Differential() {}

    /** The seed of the random moments: {@code -Dckpt.seed=N} replays a run. */
    static final long SEED = Long.getLong("ckpt.seed", new SplittableRandom().nextLong() >>> 16);

    /** Moments are drawn from this part of the reference run time. */
    static final double EARLIEST = 0.10, LATEST = 0.80;

    /** No moment earlier than this: the program must be running (past exec) by then. */
    static final long SHORTEST_MOMENT_MS = 30;

    private static final ConcurrentLinkedQueue<Process> started = new ConcurrentLinkedQueue<>();

    /** The fraction of the reference run at which POINT of PROGRAM by METHOD is taken. */
    static double fraction(String program, String method, int point) {
        long mix = SEED;
        for (char c : (program + "/" + method + "/" + point).toCharArray()) {
            mix = mix * 1_000_003L + c;
        }
        return EARLIEST + new SplittableRandom(mix).nextDouble() * (LATEST - EARLIEST);
    }

    /** A finished run: where it ran, how long it took, how it ended. */
    record Outcome(Path dir, long millis, int exit) {
        Path work() { return dir.resolve("work"); }
        Path stdout() { return dir.resolve("stdout"); }
        Path stderr() { return dir.resolve("stderr"); }
    }

    /** Runs PROGRAM uninterrupted in DIR (its cwd is DIR/work). */
    static Outcome reference(Program program, Inputs inputs, Path dir) throws Exception {
        Process p = start(program, inputs, dir, Map.of());
        long t0 = System.nanoTime();
        int exit = waitFor(p, 300, "reference run of " + program.name());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Outcome o = new Outcome(dir, ms, exit);
        if (exit != 0) {
            throw new AssertionError(program.name() + ": the reference run exited " + exit + ": "
                    + Files.readString(o.stderr(), StandardCharsets.ISO_8859_1));
        }
        return o;
    }

    /** What happened to one checkpoint-and-restart run. */
    record Restarted(Outcome outcome, long momentMs, long checkpointMs, List<String> notes, List<String> restartArgs,
                     long stdoutBeforeRestart, int restartExit, String restartStderr) {}

    /**
     * Starts PROGRAM in DIR, checkpoints it by METHOD after MOMENT ms (the program
     * dies), then runs {@code restart -n -w} with stdout and stderr appended to the
     * program's. When the program finished before the moment, the moment is halved
     * (and said so in the notes) and the run starts over in a new directory.
     */
    static Restarted checkpointAndRestart(Program program, Inputs inputs, CheckpointMethod method, Path dir,
                                          long moment, long restartLimitSeconds) throws Exception {
        List<String> notes = new ArrayList<>();
        for (int attempt = 0; ; attempt++) {
            if (moment < SHORTEST_MOMENT_MS) {
                throw new AssertionError(program.name() + " by " + method.name() + ": the program finished before "
                        + "every moment tried (" + notes + "); make its input larger");
            }
            Path runDir = dir.resolve("run" + attempt);
            Path images = Files.createDirectories(runDir.resolve("images"));
            Process p = start(program, inputs, runDir, method.environment());
            long t0 = System.nanoTime();
            long sleep = moment - (System.nanoTime() - t0) / 1_000_000;
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
            long c0 = System.nanoTime();
            List<String> args = p.isAlive() ? method.checkpoint(p, runDir.resolve("work"), images) : null;
            long checkpointMs = (System.nanoTime() - c0) / 1_000_000;
            if (args == null) {
                waitFor(p, 60, "the program that finished before its checkpoint");
                notes.add("finished before " + moment + " ms");
                moment /= 2;
                continue;
            }
            int died = waitFor(p, 30, "the checkpointed program (it should have been killed)");
            if (died != method.deathStatus()) {
                throw new AssertionError(program.name() + " by " + method.name() + ": after the checkpoint the "
                        + "program exited " + died + " instead of " + method.deathStatus());
            }
            Outcome o = new Outcome(runDir, -1, -1);
            long errBefore = Files.size(o.stderr());
            long outBefore = Files.size(o.stdout());
            List<String> cmd = new ArrayList<>(List.of(Build.restart().toString(), "-n", "-w"));
            cmd.addAll(program.restartOptions());
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(o.work().toFile())
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(o.stdout().toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(o.stderr().toFile()));
            Process r = track(pb.start());
            long r0 = System.nanoTime();
            int exit = waitFor(r, restartLimitSeconds, "restart " + String.join(" ", args));
            long ms = (System.nanoTime() - r0) / 1_000_000;
            String restartErr = tail(o.stderr(), errBefore);
            return new Restarted(new Outcome(runDir, ms, exit), moment, checkpointMs, notes, args, outBefore, exit, restartErr);
        }
    }

    /** True when PROGRAM, whose checkpoint by gdb failed, ended by itself (not killed). */
    static boolean endedOnItsOwn(Process program) throws InterruptedException {
        if (!program.waitFor(5, TimeUnit.SECONDS)) {
            return false;
        }
        return program.exitValue() != 128 + 9;
    }

    private static Process start(Program program, Inputs inputs, Path dir, Map<String, String> env)
            throws IOException {
        Path work = Files.createDirectories(dir.resolve("work"));
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                // The JVM widens coredump_filter and children inherit it; users' programs run with 0x33.
                "echo 0x33 > /proc/self/coredump_filter && exec \"$@\"", "ckpt-differential"));
        cmd.addAll(program.command(inputs, work));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        pb.environment().put("LC_ALL", "C");
        pb.environment().putAll(env);
        return track(pb.start());
    }

    private static Process track(Process p) {
        started.add(p);
        return p;
    }

    /** Waits at most SECONDS for P; on time-out kills it with its descendants and fails. */
    static int waitFor(Process p, long seconds, String what) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            kill(p);
            throw new AssertionError("timed out after " + seconds + " s: " + what);
        }
        return p.exitValue();
    }

    private static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Kills every process the harness started that is still alive. */
    static void killAll() throws InterruptedException {
        Process p;
        while ((p = started.poll()) != null) {
            if (p.isAlive() || p.descendants().findAny().isPresent()) {
                kill(p);
            }
        }
    }

    /**
     * With {@code -Dckpt.keep=DIR}, copies a failed case (the reference run and
     * the checkpointed runs, images included) to DIR/NAME for a closer look.
     */
    static void keep(String name, Outcome reference, Path runs) throws IOException {
        String keep = System.getProperty("ckpt.keep", "").trim();
        if (keep.isEmpty()) {
            return;
        }
        Path to = Path.of(keep).toAbsolutePath().resolve(name);
        copyTree(reference.dir(), to.resolve("reference"));
        copyTree(runs, to.resolve("restarted"));
        System.out.println("differential: kept " + name + " in " + to);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The bytes of FILE from OFFSET on, as text. */
    static String tail(Path file, long offset) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Compares what the restarted run wrote with the reference: stdout, stderr and
     * every file under the working directory. Returns the differences, none when equal.
     */
    static List<String> differences(Outcome reference, Outcome run) throws IOException {
        List<String> diffs = new ArrayList<>();
        compare("stdout", reference.stdout(), run.stdout(), diffs);
        compare("stderr", reference.stderr(), run.stderr(), diffs);
        Map<String, Path> want = tree(reference.work()), got = tree(run.work());
        for (String name : want.keySet()) {
            if (!got.containsKey(name)) {
                diffs.add("work/" + name + ": missing");
            } else if (Files.isRegularFile(want.get(name))) {
                compare("work/" + name, want.get(name), got.get(name), diffs);
            }
        }
        for (String name : got.keySet()) {
            if (!want.containsKey(name)) {
                diffs.add("work/" + name + ": not in the reference");
            }
        }
        return diffs;
    }

    /** Total bytes of stdout and the files under work/ of a run (to show that something was compared). */
    static long bytesWritten(Outcome o) throws IOException {
        long n = Files.size(o.stdout());
        for (Path p : tree(o.work()).values()) {
            if (Files.isRegularFile(p)) {
                n += Files.size(p);
            }
        }
        return n;
    }

    private static Map<String, Path> tree(Path root) throws IOException {
        Map<String, Path> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> !p.equals(root)).forEach(p -> m.put(root.relativize(p).toString(), p));
        }
        return m;
    }

    private static void compare(String what, Path want, Path got, List<String> diffs) throws IOException {
        long mismatch = Files.mismatch(want, got);
        if (mismatch >= 0) {
            diffs.add(what + ": differs from byte " + mismatch + " on (reference " + Files.size(want)
                    + " bytes, restarted run " + Files.size(got) + " bytes)");
        }
    }
}
