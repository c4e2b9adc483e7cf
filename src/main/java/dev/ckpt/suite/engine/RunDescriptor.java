package dev.ckpt.suite.engine;

import dev.ckpt.suite.Scenario;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;

/** One repeat of a case: "name #k" of "repeat: N". */
public final class RunDescriptor extends AbstractTestDescriptor {
    private final Scenario.Case scenarioCase;

    RunDescriptor(UniqueId id, Scenario.Case c, int number) {
        super(id, c.name() + " #" + number);
        this.scenarioCase = c;
    }

    public Scenario.Case scenarioCase() {
        return scenarioCase;
    }

    @Override
    public Type getType() {
        return Type.TEST;
    }
}
