package dev.ckpt.preload;

import dev.ckpt.testing.Child;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Holes in the core stay holes in the restored process: native/tests/sparse.c maps 1 GiB and
 * touches 20 MiB; libsavefds.so writes a sparse core; after the restart the process is resident
 * in about what the original was, not in the image's 1 GiB, and its data is intact. A mapping
 * the restorer blob cannot make is reported in one line.
 */
class SparseRestoreIT extends ChildTracking {
    static final Duration LIMIT = Duration.ofSeconds(120);

    static long kb(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in: %s", regex, text).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void untouchedPagesAreNotMadeResident() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of(), List.of(Child.nativeTest("sparse").toString())));
        p.awaitOut("rss ", LIMIT);
        Thread.sleep(200);
        long before = kb(p.out(), "(?m)^rss (\\d+)$");
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).as("ended by SIGQUIT; stderr: %s", p.err()).isEqualTo(131);
        Path core = dir.resolve("core." + p.pid());
        assertThat(core).isRegularFile();
        // the image is 1 GiB of address space, mostly holes
        assertThat(Files.size(core)).isGreaterThan(1L << 30);

        Child r = track(Child.start(dir, Map.of(), List.of(Child.restart().toString(), "-n", "-w", core.toString())));
        assertThat(r.waitFor(LIMIT)).as("restart: %s %s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("PASS sparse");
        long after = kb(r.out(), "(?m)^restored rss (\\d+)$");
        assertThat(after).as("VmRSS after the restart (KiB), original %d KiB", before)
                .isLessThanOrEqualTo(before * 12 / 10 + 8 * 1024);

        // A mapping the restorer cannot make (here: the 1 GiB region under a 600 MB address
        // space limit) is reported by address, the half-made process killed, exit 1.
        Child limited = track(Child.start(dir, Map.of(), List.of("bash", "-c",
                "ulimit -v 600000; exec \"$0\" -n -w \"$1\"", Child.restart().toString(), core.toString())));
        assertThat(limited.waitFor(LIMIT)).as("restart: %s", limited.err()).isEqualTo(1);
        assertThat(limited.err()).matches("(?s)restart: cannot map 0x[0-9a-f]+-0x[0-9a-f]+: Cannot allocate memory\n"
                + "restart: .*: restore failed; the new process was killed\n");
        assertThat(limited.out()).isEmpty();
        // ckpt restart asks for its own status there (126), apart from a program's exit 1
        Child own = track(Child.start(dir, Map.of(), List.of("bash", "-c",
                "ulimit -v 600000; exec \"$0\" --failed-status=126 -n -w \"$1\"", Child.restart().toString(),
                core.toString())));
        assertThat(own.waitFor(LIMIT)).as("restart: %s", own.err()).isEqualTo(126);
        Files.delete(core);
    }
}
