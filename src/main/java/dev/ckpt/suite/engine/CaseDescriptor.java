package dev.ckpt.suite.engine;

import dev.ckpt.suite.Scenario;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;

/**
 * A case. With {@code repeat: 1} it is the test itself; with more, a container of
 * one {@link RunDescriptor} per repeat.
 */
public final class CaseDescriptor extends AbstractTestDescriptor {
    private final Scenario.Case scenarioCase;
    private final boolean container;

    CaseDescriptor(UniqueId id, Scenario.Case c, boolean container) {
        super(id, c.name());
        this.scenarioCase = c;
        this.container = container;
    }

    public Scenario.Case scenarioCase() {
        return scenarioCase;
    }

    @Override
    public Type getType() {
        return container ? Type.CONTAINER : Type.TEST;
    }
}
