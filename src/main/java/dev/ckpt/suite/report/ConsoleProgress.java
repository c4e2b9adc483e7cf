package dev.ckpt.suite.report;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Progress on stderr: one line per case (a repeated case: one line when all its
 * runs are done, and one per failed run), each failure with its diff, and a
 * summary at the end.
 */
public final class ConsoleProgress extends Outcomes {
    private final PrintWriter err;
    private final AtomicLong passed = new AtomicLong(), failed = new AtomicLong(), skipped = new AtomicLong();
    private final AtomicLong scenariosFailed = new AtomicLong();
    private final Map<String, AtomicLong> failedRuns = new ConcurrentHashMap<>();
    private final long t0 = System.nanoTime();
    private TestPlan plan;

    public ConsoleProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
        entry.getKeyValuePairs().values().forEach(v -> line("ckpt suite: " + v));
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        super.executionSkipped(id, reason);
        if (id.isTest()) {
            skipped.incrementAndGet();
        } else {
            skipped.addAndGet(plan.getDescendants(id).stream().filter(TestIdentifier::isTest).count());
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        super.executionFinished(id, result);
        boolean ok = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL;
        long ms = outcome(id).nanos() / 1_000_000;
        String scenario = scenarioOf(id);
        if (id.isTest()) {
            (ok ? passed : failed).incrementAndGet();
            // a run of a repeated case: its grandparent is a scenario file, not the engine
            boolean repeat = plan.getParent(id).flatMap(plan::getParent).map(g -> g.getParentId().isPresent()).orElse(false);
            if (!ok) {
                plan.getParent(id).ifPresent(p -> failedRuns.computeIfAbsent(p.getUniqueId(), k -> new AtomicLong()).incrementAndGet());
                String[] m = message(result);
                line("FAIL " + scenario + " » " + id.getDisplayName() + " (" + ms + " ms): " + m[0]);
                if (!m[1].isEmpty()) {
                    line(m[1].stripTrailing().indent(4).stripTrailing());
                }
            } else if (!repeat) {
                line("PASS " + scenario + " » " + id.getDisplayName() + " (" + ms + " ms)");
            }
        } else if (!ok) {
            scenariosFailed.incrementAndGet();
            line("FAIL " + id.getDisplayName() + ": " + message(result)[0]);
        } else if (plan.getParent(id).map(p -> p.getParentId().isPresent()).orElse(false)) {
            // a repeated case (its parent is a scenario, not the engine)
            long n = plan.getChildren(id).size();
            long bad = failedRuns.getOrDefault(id.getUniqueId(), new AtomicLong()).get();
            line((bad == 0 ? "PASS " : "FAIL ") + scenario + " » " + id.getDisplayName() + " (" + n + " runs"
                    + (bad == 0 ? "" : ", " + bad + " failed") + ", " + ms + " ms)");
        }
    }

    private String scenarioOf(TestIdentifier id) {
        TestIdentifier cur = id;
        while (true) {
            TestIdentifier parent = plan.getParent(cur).orElse(null);
            if (parent == null || parent.getParentId().isEmpty()) {
                return cur.getDisplayName();
            }
            cur = parent;
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        double s = (System.nanoTime() - t0) / 1e9;
        line(String.format(java.util.Locale.ROOT, "ckpt suite: %d runs: %d passed, %d failed, %d skipped%s in %.1f s",
                passed.get() + failed.get() + skipped.get(), passed.get(), failed.get(), skipped.get(),
                scenariosFailed.get() == 0 ? "" : "; " + scenariosFailed.get() + " scenario(s) could not run", s));
    }

    /** True when every case passed and every scenario ran. */
    public boolean allPassed() {
        return failed.get() == 0 && scenariosFailed.get() == 0;
    }

    public long failures() {
        return failed.get() + scenariosFailed.get();
    }

    private synchronized void line(String s) {
        err.println(s);
        err.flush();
    }
}
