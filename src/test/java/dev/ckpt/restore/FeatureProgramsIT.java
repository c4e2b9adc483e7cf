package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One self-checking program per piece of state (native/tests/*.c): each sets its
 * state, is checkpointed by gdb's gcore or by the kernel, restarted by the native
 * engine, checks itself and prints PASS or FAIL.
 *
 * <p>Plain gdb cores carry no blocked-signal mask (gdb writes 0: so not even a
 * thread's own, which mthreads checks) and no AVX-512 state
 * (gdb's XSTATE note reads it as zeros), and no plain core
 * carries signal handlers, open files or the working directory: those programs run
 * here only with the images that hold that state (ckpt-save's CKPT notes).
 */
class FeatureProgramsIT {

    @TempDir
    Path dir;

    static Stream<Arguments> gdbCores() {
        return Stream.of("heap", "dlopen", "mmapfile", "tls", "vdso", "rseq", "static", "nopie", "avx")
                .map(Arguments::of);
    }

    static Stream<Arguments> kernelCores() {
        return Stream.of("heap", "dlopen", "mmapfile", "tls", "vdso", "rseq", "static", "nopie", "avx", "avx512",
                "sigmask", "mthreads", "workerzmm").map(Arguments::of);
    }

    static Stream<Arguments> ckptImages() {
        return Stream.of("heap", "dlopen", "mmapfile", "tls", "vdso", "rseq", "static", "nopie", "avx", "avx512",
                "sigmask", "sighandler", "cwd", "state", "mthreads", "workerzmm", "opath", "pipes", "pipeaway", "eventfd",
                "signalfd", "timerfd", "epoll", "memfd", "deleted", "deletedmap", "pidfd", "fifo", "socketpair",
                "attrs", "threadattrs", "sharedro", "aio", "posixtimers", "madvise", "vanish").map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} through ckpt-save (gcore + CKPT notes)")
    @MethodSource("ckptImages")
    void ckptSaveImage(String name) throws Exception {
        Checkpoints.Taken cp = Checkpoints.ckptSave(dir, Build.feature(name), breakpoint(name), PIDS, "img." + name);
        check(name, cp);
    }

    @ParameterizedTest(name = "{0} through a gdb core")
    @MethodSource("gdbCores")
    void gdbCore(String name) throws Exception {
        Checkpoints.Taken cp = Checkpoints.gdb(dir, Build.feature(name), breakpoint(name), PIDS, "core." + name);
        check(name, cp);
    }

    @ParameterizedTest(name = "{0} through a kernel core (ASLR on)")
    @MethodSource("kernelCores")
    void kernelCore(String name) throws Exception {
        Checkpoints.Taken cp = Checkpoints.kernel(dir, Build.feature(name), PIDS);
        check(name, cp);
    }

    /** Where gdb stops each program: vector programs at the label inside their asm block. */
    private static String breakpoint(String name) {
        return switch (name) {
            case "avx" -> "vector_point";
            case "avx512" -> "zmm_point";
            default -> "checkpoint_point";
        };
    }

    /** The programs print their pid when they start and when they check themselves (feature.h). */
    static final Map<String, String> PIDS = Map.of("FEATURE_PID", "1");

    /**
     * Restarts the checkpoint in another directory than the program's (FEATURE_DIR, where
     * cwd changes to): the cwd program passes only when the engine restores the working
     * directory. The program must print PASS after the checkpoint and prove it ran
     * restored: its "pid-after" differs from the checkpointed run's "pid-before", and it
     * did not start again from main (no "pid-before" after the restart).
     */
    private void check(String name, Checkpoints.Taken cp) throws Exception {
        assertThat(cp.before()).doesNotContain("FAIL");
        Matcher before = Pattern.compile("pid-before (\\d+)\n").matcher(cp.before());
        assertThat(before.find()).as("the checkpointed run printed its pid: %s", cp.before()).isTrue();
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Run r = Checkpoints.restart(elsewhere, "-n", "-w", cp.core().toString());
        assertThat(r.out).as("%s", r).contains("PASS " + name).doesNotContain("FAIL");
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).as("restarted, not run again from main: %s", r).doesNotContain("pid-before");
        Matcher after = Pattern.compile("pid-after (\\d+)\n").matcher(r.out);
        assertThat(after.find()).as("%s", r).isTrue();
        assertThat(after.group(1)).as("a new process").isNotEqualTo(before.group(1));
    }
}
