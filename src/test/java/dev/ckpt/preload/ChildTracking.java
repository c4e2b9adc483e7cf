package dev.ckpt.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Child;
import java.nio.file.Path;
import java.time.Duration;
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

    /** restart -n -w restores FEATURE from CORE in DIR; the restored program must print PASS and exit 0. */
    Child restartPasses(Feature feature, Path core, Duration limit, String... options) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Child.restart().toString()));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-n", "-w", feature.program().toString(), core.toString()));
        Child r = track(Child.start(dir, feature.env(), cmd));
        r.closeStdin();
        int status = r.waitFor(limit);
        assertThat(r.out()).as("%s", r.err()).contains("PASS " + feature.name()).doesNotContain("FAIL");
        assertThat(status).as(r.err()).isZero();
        return r;
    }
}
