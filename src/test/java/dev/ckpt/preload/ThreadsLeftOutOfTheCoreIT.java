package dev.ckpt.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Child;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a thread that blocks every signal cannot answer libsavefds.so, so
 * its core holds fewer threads than the process had (the CKPT VERSION note
 * still counts them all). restart took the count of NT_PRSTATUS notes only and
 * restored such a process without the threads left out, and it ran on without
 * them. Found by the differential suite: xz -T2 (its workers block all
 * signals) through libsavefds.so was restored instead of being refused.
 */
class ThreadsLeftOutOfTheCoreIT {
    static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void restartRefusesACoreThatLeftOutAThreadBlockingSignals() throws Exception {
        Path core;
        try (Child p = Child.preloaded(dir, "unlimited", Map.of(),
                List.of(Child.nativeTest("blockedthread").toString()))) {
            p.awaitOut("ready\n", LIMIT);
            Child.signal(p.pid(), "QUIT");
            assertThat(p.waitFor(LIMIT)).as(p.err()).isEqualTo(128 + 3);
            core = dir.resolve("core." + p.pid());
        }
        CoreFile cf = new CoreFile(core);
        assertThat(cf.notes.stream().filter(n -> n.owner().equals("CORE") && n.type() == 1))
                .as("the worker blocks every signal: only main is in the core").hasSize(1);
        assertThat(cf.note("CKPT", 1).orElseThrow().i32(8)).as("VERSION nthreads").isEqualTo(2);

        try (Child r = Child.start(dir, Map.of(), List.of(Child.restart().toString(), "-n", "-w", core.toString()))) {
            r.closeStdin();
            assertThat(r.waitFor(LIMIT)).as(r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("restart: " + core + ": the process had 2 threads, the core holds 1"
                    + " (libsavefds.so leaves out threads that block every signal); restoring it without them"
                    + " is not supported\n");
            assertThat(r.out()).isEmpty();
        }
    }
}
