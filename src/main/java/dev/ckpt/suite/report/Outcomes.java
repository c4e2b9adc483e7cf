package dev.ckpt.suite.report;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/** What happened to each test and container, with times; thread-safe (cases end on worker threads). */
public class Outcomes implements TestExecutionListener {
    /** A finished or skipped node: {@code result} null when skipped. */
    public record Outcome(TestExecutionResult result, String skipReason, long nanos) {}

    protected final Map<String, Long> started = new ConcurrentHashMap<>();
    protected final Map<String, Outcome> done = new ConcurrentHashMap<>();

    @Override
    public void executionStarted(TestIdentifier id) {
        started.put(id.getUniqueId(), System.nanoTime());
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        Long t0 = started.get(id.getUniqueId());
        done.put(id.getUniqueId(), new Outcome(result, null, t0 == null ? 0 : System.nanoTime() - t0));
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        done.put(id.getUniqueId(), new Outcome(null, reason, 0));
    }

    public Outcome outcome(TestIdentifier id) {
        return done.get(id.getUniqueId());
    }

    /** The first line of a failure's message, and the rest (the diff). */
    public static String[] message(TestExecutionResult r) {
        Throwable t = r.getThrowable().orElse(null);
        String m = t == null ? "failed" : t.getMessage() == null ? t.toString() : t.getMessage();
        if (t != null && !(t instanceof AssertionError) && t.getMessage() != null) {
            m = t.getClass().getSimpleName() + ": " + m;
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? new String[] {m, ""} : new String[] {m.substring(0, nl), m.substring(nl + 1)};
    }
}
