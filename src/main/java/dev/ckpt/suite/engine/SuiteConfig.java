package dev.ckpt.suite.engine;

import dev.ckpt.suite.ImageCache;
import dev.ckpt.suite.Shard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.ConfigurationParameters;

/**
 * The engine's configuration parameters (what {@code ckpt suite}'s options set, and
 * what a Maven project sets in Surefire's {@code configurationParameters}):
 * <ul>
 * <li>{@code ckpt.suite.paths}: scenario files or directories, comma-separated</li>
 * <li>{@code ckpt.suite.jobs}: cases run at once (default 1)</li>
 * <li>{@code ckpt.suite.shard}: I/N (default: from Slurm, Kubernetes or GitLab variables, else all)</li>
 * <li>{@code ckpt.suite.shardCount}: N for a Kubernetes Indexed Job</li>
 * <li>{@code ckpt.suite.cacheDir}: where checkpoints are kept</li>
 * <li>{@code ckpt.suite.forkServer}: false for a full restore per case</li>
 * </ul>
 */
record SuiteConfig(List<Path> paths, int jobs, Shard shard, Path cacheDir, boolean forkServer) {

    static SuiteConfig from(ConfigurationParameters p) {
        List<Path> paths = new ArrayList<>();
        p.get("ckpt.suite.paths").ifPresent(v -> {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    paths.add(Path.of(s.trim()));
                }
            }
        });
        int jobs = p.get("ckpt.suite.jobs").map(Integer::parseInt).orElse(1);
        if (jobs < 1) {
            throw new IllegalArgumentException("ckpt.suite.jobs: " + jobs + " must be at least 1");
        }
        Integer count = p.get("ckpt.suite.shardCount").map(Integer::valueOf).orElse(null);
        Shard shard = p.get("ckpt.suite.shard").map(Shard::parse)
                .orElseGet(() -> Shard.fromEnvironment(System.getenv(), count));
        Path cache = p.get("ckpt.suite.cacheDir").map(Path::of).orElseGet(ImageCache::defaultDir);
        boolean fork = p.getBoolean("ckpt.suite.forkServer").orElse(true);
        return new SuiteConfig(paths, jobs, shard, cache, fork);
    }
}
