package dev.ckpt.preload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ckpt.testing.Child;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The self-checking feature programs (native/tests/*.c) checkpointed by
 * libsavefds.so and restarted by the native engine: each must print PASS.
 *
 * <p>The programs stop at {@code checkpoint_point} (the vector programs at the
 * label inside their asm block),
 * so the signal must arrive exactly there: gdb stops the program at that
 * point, queues SIGQUIT and detaches (which removes every breakpoint gdb had
 * inserted, its internal ones included), and the signal goes to the
 * library's handler. gdb takes no part in the checkpoint itself. "static" is
 * left out: a static program never loads a preloaded library.
 */
class FeatureProgramsSavefdsIT extends ChildTracking {
    static final Duration LIMIT = Duration.ofSeconds(60);


    @ParameterizedTest(name = "{0} through libsavefds.so")
    @ValueSource(strings = {"heap", "dlopen", "mmapfile", "tls", "vdso", "rseq", "nopie", "avx", "avx512",
            "sigmask", "sighandler", "cwd", "state", "opath", "pipes", "eventfd", "signalfd",
            "timerfd", "pipeaway", "epoll", "socketpair",
            "memfd", "deleted", "deletedmap", "pidfd", "fifo",
            "attrs", "threadattrs", "sharedro", "aio", "posixtimers", "madvise", "vanish"})
    void featureProgram(String name) throws Exception {
        Feature f = Feature.in(dir, name);
        Child gdb = track(Child.start(dir, f.env(), f.gdbToPoint(List.of("-batch"),
                List.of("-ex", "set environment LD_PRELOAD " + Child.library()), "SIGQUIT")));
        assertThat(gdb.waitFor(LIMIT)).as(gdb.out() + gdb.err()).isZero();
        Matcher m = Pattern.compile("\\[Inferior 1 \\(process (\\d+)\\) detached]").matcher(gdb.out());
        assertThat(m.find()).as(gdb.out() + gdb.err()).isTrue();
        long pid = Long.parseLong(m.group(1));

        Path core = awaitCore(pid);
        assertThat(Child.read(dir.resolve("before.out"))).doesNotContain("FAIL");

        restartPasses(f, core, LIMIT);
    }

    /** Whether PID still runs: not gone, and not a zombie nobody has reaped yet. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The program, now gdb's orphan, writes core.PID where its cwd is and dies of SIGQUIT. */
    private Path awaitCore(long pid) throws Exception {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < end) {
            if (!running(pid)) {
                try (Stream<Path> all = Files.walk(dir)) {
                    Optional<Path> core = all.filter(p -> p.getFileName().toString().equals("core." + pid)).findFirst();
                    return core.orElseGet(() -> fail("no core." + pid + " under " + dir));
                }
            }
            Thread.sleep(20);
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return fail("process " + pid + " still running after SIGQUIT");
    }
}
