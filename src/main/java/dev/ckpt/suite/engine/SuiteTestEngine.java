package dev.ckpt.suite.engine;

import dev.ckpt.suite.Scenario;
import dev.ckpt.suite.ScenarioLoader;
import dev.ckpt.suite.SuiteInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.platform.engine.EngineDiscoveryRequest;
import org.junit.platform.engine.ExecutionRequest;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.discovery.DirectorySelector;
import org.junit.platform.engine.discovery.FileSelector;
import org.junit.platform.engine.support.descriptor.EngineDescriptor;

/**
 * The JUnit Platform engine behind {@code ckpt suite}: scenario files become a tree
 * engine → scenario file → case (→ repeat). It discovers files from file and
 * directory selectors and from the {@code ckpt.suite.paths} configuration parameter;
 * class selectors (what Surefire sends for a project's own tests) find nothing, so
 * on a classpath it stays idle until asked. The shard is applied at discovery.
 */
public final class SuiteTestEngine implements TestEngine {
    public static final String ID = "ckpt-suite";

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Optional<String> getGroupId() {
        return Optional.of("dev.ckpt");
    }

    @Override
    public Optional<String> getArtifactId() {
        return Optional.of("ckpt");
    }

    @Override
    public TestDescriptor discover(EngineDiscoveryRequest request, UniqueId uniqueId) {
        EngineDescriptor engine = new EngineDescriptor(uniqueId, "ckpt suite");
        List<Path> roots = new ArrayList<>();
        request.getSelectorsByType(FileSelector.class).forEach(s -> roots.add(s.getPath()));
        request.getSelectorsByType(DirectorySelector.class).forEach(s -> roots.add(s.getPath()));
        if (roots.isEmpty() && request.getConfigurationParameters().get("ckpt.suite.paths").isEmpty()) {
            return engine;   // not asked for scenario files (e.g. Surefire running a project's classes)
        }
        SuiteConfig config = SuiteConfig.from(request.getConfigurationParameters());
        roots.addAll(config.paths());
        List<Path> files;
        try {
            files = ScenarioLoader.find(roots);
        } catch (SuiteInputException e) {
            engine.addChild(new ScenarioDescriptor(uniqueId.append("file", roots.get(0).toString()), roots.get(0), null, e));
            return engine;
        }
        long position = 0;
        for (Path f : files) {
            UniqueId fid = uniqueId.append("file", f.toString());
            Scenario s;
            try {
                s = ScenarioLoader.load(f);
            } catch (SuiteInputException e) {
                engine.addChild(new ScenarioDescriptor(fid, f, null, e));
                continue;
            }
            ScenarioDescriptor sd = new ScenarioDescriptor(fid, f, s, null);
            for (Scenario.Case c : s.cases()) {
                UniqueId cid = fid.append("case", c.name());
                if (c.repeat() == 1) {
                    if (config.shard().includes(position++)) {
                        sd.addChild(new CaseDescriptor(cid, c, false));
                    }
                    continue;
                }
                CaseDescriptor cd = new CaseDescriptor(cid, c, true);
                for (int k = 1; k <= c.repeat(); k++) {
                    if (config.shard().includes(position++)) {
                        cd.addChild(new RunDescriptor(cid.append("run", Integer.toString(k)), c, k));
                    }
                }
                if (!cd.getChildren().isEmpty()) {
                    sd.addChild(cd);
                }
            }
            if (!sd.getChildren().isEmpty()) {
                engine.addChild(sd);
            }
        }
        return engine;
    }

    @Override
    public void execute(ExecutionRequest request) {
        new SuiteExecutor(request, SuiteConfig.from(request.getConfigurationParameters())).run();
    }
}
