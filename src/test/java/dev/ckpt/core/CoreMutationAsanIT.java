package dev.ckpt.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C reader and the engine's whole validator (native/restore/check.c: core reader,
 * plan, mapped-file identity, open files) fuzzed with the same mutator as the Java
 * reader ({@link CoreMutationPropertyTest#mutate}): 10,000 mutated real cores through
 * {@code checkmany-asan}, built with AddressSanitizer and UBSan, 500 cores per exec.
 * Any sanitizer report fails, naming the mutant and its mutations.
 */
class CoreMutationAsanIT {
    static final int CASES = 10_000;
    static final int BATCH = 500;

    @TempDir
    Path tmp;

    @Test
    void tenThousandMutantsNoSanitizerReport() throws Exception {
        Path nativeDir = Build.basedir().resolve("native");
        assumeTrue(Files.isDirectory(nativeDir.resolve("fuzz")), "the native sources are not here");
        Path driver = Build.nativeTool("checkmany-asan");

        int unusable = 0, checked = 0;
        for (int first = 0; first < CASES; first += BATCH) {
            List<String> cmd = new ArrayList<>(List.of(driver.toString()));
            List<String> logs = new ArrayList<>();
            for (int i = first; i < first + BATCH; i++) {
                StringBuilder log = new StringBuilder();
                byte[] bytes = CoreMutationPropertyTest.mutate(i % 3, i, log);
                Path p = tmp.resolve("m" + i);
                Files.write(p, bytes);
                cmd.add(p.toString());
                logs.add("base " + (i % 3) + ", seed " + i + ": " + log);
            }
            Run r = Run.of(cmd).dir(tmp).timeout(Duration.ofMinutes(3))
                    .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=99")
                    .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1").go();
            List<String> lines = r.out.lines().toList();
            String culprit = lines.size() < BATCH ? logs.get(lines.size()) : "(after the last core)";
            assertThat(r.err).as("sanitizer report at mutant %s", culprit).doesNotContain("Sanitizer")
                    .doesNotContain("runtime error:");
            assertThat(r.exit).as("exit; mutant %s; stderr tail: %s", culprit,
                    r.err.substring(Math.max(0, r.err.length() - 2000))).isZero();
            assertThat(lines).hasSize(BATCH);
            for (String l : lines) {
                if (l.endsWith(": unusable")) {
                    unusable++;
                } else {
                    checked++;
                }
            }
            for (int i = first; i < first + BATCH; i++) {
                Files.delete(tmp.resolve("m" + i));
            }
        }
        // a mutator that never gets past the reader (or never breaks anything) would test little
        assertThat(unusable).isGreaterThan(CASES / 10);
        assertThat(checked).isGreaterThan(CASES / 10);
    }
}
