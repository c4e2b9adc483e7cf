package dev.ckpt.preload;

import dev.ckpt.testing.Child;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test directory, and every {@link Child} a test starts, killed after it if still running. */
abstract class ChildTracking {
    @TempDir
    Path dir;

    final List<Child> children = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        children.forEach(Child::close);
    }

    Child track(Child c) {
        children.add(c);
        return c;
    }
}
