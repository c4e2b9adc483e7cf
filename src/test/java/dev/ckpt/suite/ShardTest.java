package dev.ckpt.suite;

import dev.ckpt.testing.Build;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ckpt.suite.engine.SuiteTestEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.jupiter.api.Test;

/** Shards split the discovered runs so that together they are the whole suite, each run once. */
class ShardTest {
    private static List<String> runs(Path dir, String shard) {
        TestPlan plan = LauncherFactory.create(LauncherConfig.builder().enableTestEngineAutoRegistration(false)
                        .addTestEngines(new SuiteTestEngine()).build())
                .discover(LauncherDiscoveryRequestBuilder.request()
                        .selectors(DiscoverySelectors.selectDirectory(dir.toFile()))
                        .configurationParameter("ckpt.suite.shard", shard).build());
        List<String> out = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            plan.getDescendants(root).stream().filter(TestIdentifier::isTest).forEach(t -> out.add(t.getUniqueId()));
        }
        return out;
    }

    @Test
    void threeShardsAreTheWholeSuiteOnce() {
        Path dir = Build.basedir().resolve("examples/suites");
        List<String> all = runs(dir, "1/1");
        assertThat(all).hasSizeGreaterThan(300).doesNotHaveDuplicates();
        List<String> union = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<String> part = runs(dir, i + "/3");
            assertThat(part.size()).isBetween(all.size() / 3 - 1, all.size() / 3 + 1);
            union.addAll(part);
        }
        assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        assertThat(runs(dir, "2/3")).isEqualTo(runs(dir, "2/3"));
    }

    @Test
    void aMavenProjectNamesItsScenarioFilesByConfigurationParameterAndClassSelectorsFindNothing() {
        var launcher = LauncherFactory.create(LauncherConfig.builder().enableTestEngineAutoRegistration(false)
                .addTestEngines(new SuiteTestEngine()).build());
        TestPlan byParameter = launcher.discover(LauncherDiscoveryRequestBuilder.request()
                .configurationParameter("ckpt.suite.paths", Build.basedir().resolve("examples/suites").toString()).build());
        assertThat(byParameter.countTestIdentifiers(TestIdentifier::isTest))
                .isEqualTo(runs(Build.basedir().resolve("examples/suites"), "1/1").size());
        TestPlan byClass = launcher.discover(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(ShardTest.class)).build());
        assertThat(byClass.countTestIdentifiers(t -> true)).isEqualTo(1);   // the engine alone
    }

    @Test
    void schedulersVariables() {
        assertThat(Shard.fromEnvironment(Map.of(), null)).isEqualTo(Shard.ALL);
        assertThat(Shard.fromEnvironment(Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_ARRAY_TASK_COUNT", "4"), null))
                .isEqualTo(new Shard(1, 4));
        assertThat(Shard.fromEnvironment(Map.of("SLURM_ARRAY_TASK_ID", "7", "SLURM_ARRAY_TASK_MIN", "5",
                "SLURM_ARRAY_TASK_COUNT", "3"), null)).isEqualTo(new Shard(3, 3));
        assertThat(Shard.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "2"), 5)).isEqualTo(new Shard(3, 5));
        assertThat(Shard.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "0", "CKPT_SHARD_COUNT", "2"), null))
                .isEqualTo(new Shard(1, 2));
        assertThat(Shard.fromEnvironment(Map.of("CI_NODE_INDEX", "2", "CI_NODE_TOTAL", "2"), null)).isEqualTo(new Shard(2, 2));
        assertThatThrownBy(() -> Shard.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "0"), null))
                .hasMessageContaining("--shard-count");
        assertThatThrownBy(() -> Shard.parse("3/2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Shard.parse("x")).isInstanceOf(IllegalArgumentException.class);
        Set<Long> seen = new HashSet<>();
        for (long k = 0; k < 10; k++) {
            for (int i = 1; i <= 4; i++) {
                if (new Shard(i, 4).includes(k)) {
                    assertThat(seen.add(k)).isTrue();
                }
            }
        }
        assertThat(seen).hasSize(10);
    }
}
