package dev.ckpt.suite;

import dev.ckpt.gdb.CheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one scenario's cases: the build command, the checkpoint (from the cache or
 * new), then one restarter per worker thread: a fork server, or full restores when
 * the engine cannot serve the image (threads) or when asked.
 */
public final class ScenarioRunner implements AutoCloseable {
    private static final long BUILD_TIMEOUT_S = 600;

    private final Scenario scenario;
    private final ImageCache cache;
    private final Consumer<String> progress;
    private final Map<Thread, Restarter> restarters = new ConcurrentHashMap<>();
    private volatile boolean forkServer;
    private Image image;
    private ForkServer first;

    public ScenarioRunner(Scenario scenario, ImageCache cache, boolean forkServer, Consumer<String> progress) {
        this.scenario = scenario;
        this.cache = cache;
        this.forkServer = forkServer;
        this.progress = progress;
    }

    /** Build, checkpoint, and the first fork server; throws what keeps every case from running. */
    public void prepare() throws IOException, InterruptedException, CheckpointException {
        if (scenario.build() != null) {
            build();
        }
        image = cache.image(scenario);
        if (!forkServer) {
            return;
        }
        try {
            first = ForkServer.start(image.core());
        } catch (ForkServer.Refused e) {
            if (!image.cached() || scenario.checkpoint() != null) {
                throw new IOException("the engine refuses the checkpoint: " + e.getMessage());
            }
            progress.accept(scenario.name() + ": the cached checkpoint no longer fits (" + e.getMessage()
                    + "); taking it again");
            cache.forget(scenario);
            image = cache.image(scenario);
            first = ForkServer.start(image.core());
        } catch (ForkServer.Unsupported e) {
            forkServer = false;
            progress.accept(scenario.name() + ": " + e.getMessage() + "; a full restore per case");
        }
    }

    private void build() throws IOException, InterruptedException {
        progress.accept(scenario.name() + ": build: " + scenario.build());
        java.nio.file.Path log = java.nio.file.Files.createTempFile("ckpt-build-", ".log");
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", scenario.build())
                    .directory(scenario.file().getParent().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(BUILD_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("build: still running after " + BUILD_TIMEOUT_S + " s: " + scenario.build());
            }
            if (p.exitValue() != 0) {
                String text = java.nio.file.Files.readString(log, StandardCharsets.UTF_8).strip();
                String last = text.lines().reduce((a, b) -> b).orElse("");
                throw new IOException("build failed (exit status " + p.exitValue() + "): " + scenario.build()
                        + (last.isEmpty() ? "" : ": " + last));
            }
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    /** Runs one case (one repeat) on this thread's restarter. */
    public CaseRun.Result run(Scenario.Case c) throws IOException, InterruptedException {
        Restarter r = restarters.computeIfAbsent(Thread.currentThread(), t -> newRestarter());
        try {
            return CaseRun.run(scenario, image, c, r);
        } catch (IOException e) {
            // the server is in an unknown state: the next case on this thread gets a new one
            restarters.remove(Thread.currentThread());
            r.close();
            throw e;
        }
    }

    private synchronized Restarter newRestarter() {
        if (first != null) {
            Restarter r = first;
            first = null;
            return r;
        }
        if (forkServer) {
            try {
                return ForkServer.start(image.core());
            } catch (IOException e) {
                progress.accept(scenario.name() + ": fork server: " + e.getMessage() + "; a full restore per case");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new FullRestart(image.core());
    }

    /** "fork server" or "full restore": how cases restart. */
    public String mode() {
        return forkServer ? "fork server" : "full restore";
    }

    @Override
    public void close() {
        restarters.values().forEach(Restarter::close);
        restarters.clear();
        if (first != null) {
            first.close();
            first = null;
        }
    }
}
