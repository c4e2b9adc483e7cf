package dev.ckpt.differential;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/** The checkpoint methods the suite runs every program through. */
final class Methods {
    private Methods() {}

    static final List<CheckpointMethod> ALL = List.of(new AttachCkptSave(), new GcoreWithFdFile(), new SignalSavefds(),
            new CkptDumpKill());

    /** The methods {@code -Dckpt.methods=a,b} selects (all when unset), named for test names. */
    static Stream<Named<CheckpointMethod>> selected() {
        String only = System.getProperty("ckpt.methods", "").trim();
        List<String> names = List.of(only.split(","));
        return ALL.stream().filter(m -> only.isEmpty() || names.contains(m.name())).map(m -> Named.of(m.name(), m));
    }
}
