package dev.ckpt.suite;

import dev.ckpt.cli.Paths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Runs one case (one repeat of it) from a scenario's image and judges it. */
public final class CaseRun {
    /** The verdict: {@code failure} is null when the case passed; {@code details} holds the diff. */
    public record Result(String failure, String details, String stdout, String stderr, Duration took) {
        public boolean passed() {
            return failure == null;
        }
    }

    private CaseRun() {}

    static Result run(Scenario s, Image image, Scenario.Case c, Restarter r) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("ckpt-case-");
        long t0 = System.nanoTime();
        try {
            Path in = work.resolve("stdin");
            Path out = work.resolve("stdout");
            Path err = work.resolve("stderr");
            Files.write(in, stdin(s, image, c));
            Duration timeout = c.timeout() != null ? c.timeout() : s.timeout();
            Restarter.Ending end = r.run(in, out, err, timeout);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String stdout = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            String stderr = Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "";
            return judge(c, end, timeout, stdout, stderr, took);
        } finally {
            Paths.deleteTree(work);
        }
    }

    /** The case's stdin, else what was left of the scenario's input at the checkpoint, else nothing. */
    static byte[] stdin(Scenario s, Image image, Scenario.Case c) {
        if (c.stdin() != null) {
            return c.stdin().getBytes(StandardCharsets.UTF_8);
        }
        if (s.input() == null || image.stdinOffset() < 0) {
            return new byte[0];
        }
        byte[] all = s.input().getBytes(StandardCharsets.UTF_8);
        int from = (int) Math.min(all.length, image.stdinOffset());
        return java.util.Arrays.copyOfRange(all, from, all.length);
    }

    static Result judge(Scenario.Case c, Restarter.Ending end, Duration timeout, String stdout, String stderr,
                        Duration took) {
        List<String> problems = new ArrayList<>();
        StringBuilder details = new StringBuilder();
        if (end.timedOut()) {
            problems.add("timed out after " + seconds(timeout) + " s (killed)");
        } else if (!end.ended().equals(c.exit())) {
            problems.add("expected " + c.exit() + ", got " + end.ended());
        }
        if (c.stdout() != null && !c.stdout().equals(stdout)) {
            problems.add("stdout differs from the expected");
            details.append("stdout:\n").append(Diff.unified(c.stdout(), stdout));
        }
        if (c.stdoutMatches() != null && !Pattern.compile(c.stdoutMatches(), Pattern.MULTILINE).matcher(stdout).find()) {
            problems.add("stdout does not match /" + c.stdoutMatches() + "/");
            details.append("stdout (").append(stdout.length()).append(" bytes):\n").append(excerpt(stdout));
        }
        if (c.stderrMatches() != null && !Pattern.compile(c.stderrMatches(), Pattern.MULTILINE).matcher(stderr).find()) {
            problems.add("stderr does not match /" + c.stderrMatches() + "/");
            details.append("stderr (").append(stderr.length()).append(" bytes):\n").append(excerpt(stderr));
        }
        if (problems.isEmpty()) {
            return new Result(null, "", stdout, stderr, took);
        }
        if (!stderr.isEmpty() && c.stderrMatches() == null) {
            details.append("stderr:\n").append(excerpt(stderr));
        }
        return new Result(String.join("; ", problems), details.toString(), stdout, stderr, took);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : String.format("%.3f", d.toMillis() / 1000.0);
    }

    private static String excerpt(String s) {
        String t = s.length() > 2000 ? s.substring(0, 2000) + "\n... (" + (s.length() - 2000) + " more bytes)\n" : s;
        return t.endsWith("\n") || t.isEmpty() ? t : t + "\n";
    }
}
