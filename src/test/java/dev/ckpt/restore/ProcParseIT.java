package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The one /proc parser (native/common/procparse.c, shared by restart, ckpt-dump and
 * libsavefds.so) on its own: {@code procparse-test} (native/unit/procparse.c, built with
 * AddressSanitizer and UBSan) parses tricky maps and stat lines written out in it, then the
 * kernel's own /proc/self/stat with a comm holding ") (" and spaces and /proc/self/maps with
 * a deleted file named "x y (deleted)".
 */
class ProcParseIT {
    @Test
    void parserPassesItsChecks() throws Exception {
        assumeTrue(Files.isDirectory(Build.basedir().resolve("native/unit")), "the native sources are not here");
        Run r = Run.of(Build.nativeTool("procparse-test").toString()).timeout(Duration.ofMinutes(1))
                .env("ASAN_OPTIONS", "detect_leaks=1:exitcode=99")
                .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1").go();
        assertThat(r.err).as("sanitizer report").doesNotContain("Sanitizer").doesNotContain("runtime error:");
        assertThat(r.out).as("failed checks").doesNotContain("FAIL").containsPattern("procparse: [1-9][0-9]* checks, 0 failed");
        assertThat(r.exit).as("exit: %s", r.out).isZero();
    }
}
