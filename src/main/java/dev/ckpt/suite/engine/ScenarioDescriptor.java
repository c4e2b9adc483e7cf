package dev.ckpt.suite.engine;

import dev.ckpt.suite.Scenario;
import dev.ckpt.suite.SuiteInputException;
import java.nio.file.Path;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.FileSource;

/** A scenario file: a container of its cases. A file that did not load fails when run. */
public final class ScenarioDescriptor extends AbstractTestDescriptor {
    private final Path file;
    private final Scenario scenario;
    private final SuiteInputException problem;

    ScenarioDescriptor(UniqueId id, Path file, Scenario scenario, SuiteInputException problem) {
        super(id, displayName(file), FileSource.from(file.toFile()));
        this.file = file;
        this.scenario = scenario;
        this.problem = problem;
    }

    /** The file's name relative to the working directory when below it: what reports show. */
    static String displayName(Path file) {
        Path here = Path.of("").toAbsolutePath();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(here) ? here.relativize(abs).toString() : abs.toString();
    }

    public Path file() {
        return file;
    }

    public Scenario scenario() {
        return scenario;
    }

    SuiteInputException problem() {
        return problem;
    }

    @Override
    public Type getType() {
        return Type.CONTAINER;
    }
}
