package dev.ckpt.suite.engine;

import dev.ckpt.suite.CaseRun;
import dev.ckpt.suite.ImageCache;
import dev.ckpt.suite.Scenario;
import dev.ckpt.suite.ScenarioRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.EngineExecutionListener;
import org.junit.platform.engine.ExecutionRequest;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.opentest4j.AssertionFailedError;

/**
 * Runs the discovered tree: scenario files one after another; within a file, its
 * cases (and repeats) on {@code jobs} worker threads, each with its own fork server.
 * A case's failure is an AssertionFailedError whose message is the verdict's line,
 * then the diff.
 */
final class SuiteExecutor {
    private final ExecutionRequest request;
    private final SuiteConfig config;
    private final EngineExecutionListener listener;

    SuiteExecutor(ExecutionRequest request, SuiteConfig config) {
        this.request = request;
        this.config = config;
        this.listener = request.getEngineExecutionListener();
    }

    void run() {
        TestDescriptor engine = request.getRootTestDescriptor();
        listener.executionStarted(engine);
        ExecutorService pool = Executors.newFixedThreadPool(config.jobs(), r -> {
            Thread t = new Thread(r, "ckpt-suite-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            for (TestDescriptor child : new ArrayList<>(engine.getChildren())) {
                runScenario((ScenarioDescriptor) child, pool);
            }
        } finally {
            pool.shutdownNow();
        }
        listener.executionFinished(engine, TestExecutionResult.successful());
    }

    private void runScenario(ScenarioDescriptor sd, ExecutorService pool) {
        listener.executionStarted(sd);
        if (sd.problem() != null) {
            skipChildren(sd, "the scenario file did not load");
            listener.executionFinished(sd, TestExecutionResult.failed(sd.problem()));
            return;
        }
        Scenario s = sd.scenario();
        ImageCache cache = new ImageCache(config.cacheDir(), m -> progress(sd, m));
        try (ScenarioRunner runner = new ScenarioRunner(s, cache, config.forkServer(), m -> progress(sd, m))) {
            try {
                runner.prepare();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                skipChildren(sd, "no checkpoint");
                listener.executionFinished(sd, TestExecutionResult.failed(
                        new AssertionFailedError("no checkpoint: " + e.getMessage(), e)));
                return;
            }
            progress(sd, s.name() + ": " + count(sd) + " runs by " + runner.mode());
            Map<TestDescriptor, AtomicInteger> open = new ConcurrentHashMap<>();
            List<Future<?>> running = new ArrayList<>();
            for (TestDescriptor c : sd.getChildren()) {
                if (c.getType() == TestDescriptor.Type.TEST) {
                    running.add(pool.submit(() -> runOne(runner, (CaseDescriptor) c, ((CaseDescriptor) c).scenarioCase())));
                    continue;
                }
                listener.executionStarted(c);
                open.put(c, new AtomicInteger(c.getChildren().size()));
                for (TestDescriptor r : c.getChildren()) {
                    running.add(pool.submit(() -> {
                        runOne(runner, r, ((RunDescriptor) r).scenarioCase());
                        if (open.get(c).decrementAndGet() == 0) {
                            listener.executionFinished(c, TestExecutionResult.successful());
                        }
                    }));
                }
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        listener.executionFinished(sd, TestExecutionResult.successful());
    }

    private void runOne(ScenarioRunner runner, TestDescriptor d, Scenario.Case c) {
        listener.executionStarted(d);
        TestExecutionResult result;
        try {
            CaseRun.Result r = runner.run(c);
            result = r.passed() ? TestExecutionResult.successful()
                    : TestExecutionResult.failed(new AssertionFailedError(r.failure()
                            + (r.details().isEmpty() ? "" : "\n" + r.details())));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            result = TestExecutionResult.failed(e);
        }
        listener.executionFinished(d, result);
    }

    private static long count(ScenarioDescriptor sd) {
        return sd.getDescendants().stream().filter(d -> d.getType() == TestDescriptor.Type.TEST).count();
    }

    private void skipChildren(TestDescriptor d, String why) {
        for (TestDescriptor c : d.getChildren()) {
            listener.executionSkipped(c, why);
        }
    }

    private void progress(TestDescriptor d, String message) {
        listener.reportingEntryPublished(d, ReportEntry.from("progress", message));
    }
}
