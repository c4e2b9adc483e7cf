package dev.ckpt.suite;

import dev.ckpt.cli.ExitCodes;
import dev.ckpt.suite.engine.SuiteTestEngine;
import dev.ckpt.suite.report.ConsoleProgress;
import dev.ckpt.suite.report.JUnitXml;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ckpt suite}: regression suites from checkpoints (docs/SUITES.md). Loads
 * every scenario file first (a bad one: one line, exit 2, nothing runs), then runs
 * them through the JUnit Platform Launcher with {@link SuiteTestEngine}.
 */
@Command(name = "suite", mixinStandardHelpOptions = true,
        description = {"Run scenario files (YAML): checkpoint each program once (cached), then run every case "
                + "from the checkpoint and compare what the restarted process prints and how it ends.",
            "Progress and failures (with diffs) go to stderr; see docs/SUITES.md."},
        footer = {"", "Shards without --shard: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, JOB_COMPLETION_INDEX with "
                + "--shard-count or CKPT_SHARD_COUNT, CI_NODE_INDEX/CI_NODE_TOTAL.",
            "Exit status: 0 every case passed, 1 a case failed (or a scenario could not run), 2 bad input."})
public final class SuiteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Scenario files, or directories searched for *.yaml and *.yml.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--junit-xml", paramLabel = "OUT", description = "Write a JUnit XML report to OUT.")
    Path junitXml;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1",
            description = "Run N cases at once (one fork server each). Default: ${DEFAULT-VALUE}.")
    int jobs;

    @Option(names = "--shard", paramLabel = "I/N", description = "Run only shard I of N (1-based).")
    String shard;

    @Option(names = "--shard-count", paramLabel = "N", description = "The number of shards for JOB_COMPLETION_INDEX "
            + "(a Kubernetes Indexed Job's completions); CKPT_SHARD_COUNT does the same.")
    Integer shardCount;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Keep checkpoints in DIR (default: $CKPT_CACHE_DIR, "
            + "else $XDG_CACHE_HOME/ckpt/suite, else ~/.cache/ckpt/suite).")
    Path cacheDir;

    @Option(names = "--no-fork-server", description = "Restore the checkpoint anew for every case (restart -n -w).")
    boolean noForkServer;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Shard chosen;
        List<Path> files;
        try {
            if (jobs < 1) {
                throw new IllegalArgumentException("-j " + jobs + ": must be at least 1");
            }
            chosen = shard != null ? Shard.parse(shard) : Shard.fromEnvironment(System.getenv(), shardCount);
            files = ScenarioLoader.find(paths);
            if (files.isEmpty()) {
                throw new SuiteInputException(String.join(" ", paths.stream().map(Path::toString).toList())
                        + ": no scenario files (*.yaml, *.yml)");
            }
            for (Path f : files) {
                ScenarioLoader.load(f);
            }
            if (junitXml != null && junitXml.toAbsolutePath().getParent() != null
                    && !Files.isDirectory(junitXml.toAbsolutePath().getParent())) {
                throw new SuiteInputException(junitXml + ": no such directory for the JUnit XML");
            }
        } catch (SuiteInputException | IllegalArgumentException e) {
            err.println("ckpt suite: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        if (chosen.count() > 1) {
            err.println("ckpt suite: shard " + chosen);
        }
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request()
                .selectors(files.stream().map(f -> DiscoverySelectors.selectFile(f.toFile())).toList())
                .configurationParameter("ckpt.suite.jobs", Integer.toString(jobs))
                .configurationParameter("ckpt.suite.shard", chosen.toString())
                .configurationParameter("ckpt.suite.forkServer", Boolean.toString(!noForkServer));
        if (cacheDir != null) {
            b.configurationParameter("ckpt.suite.cacheDir", cacheDir.toAbsolutePath().toString());
        }
        LauncherDiscoveryRequest request = b.build();
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                .enableTestEngineAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false)
                .addTestEngines(new SuiteTestEngine()).build());
        ConsoleProgress console = new ConsoleProgress(err);
        List<TestExecutionListener> listeners = new ArrayList<>(List.of(console));
        if (junitXml != null) {
            listeners.add(new JUnitXml(junitXml, chosen.toString()));
        }
        launcher.execute(request, listeners.toArray(TestExecutionListener[]::new));
        if (junitXml != null) {
            err.println("ckpt suite: JUnit XML written to " + junitXml);
        }
        err.flush();
        return console.allPassed() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }
}
