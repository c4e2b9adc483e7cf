package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import dev.ckpt.testing.Run;
import java.nio.file.Path;
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
                "sigmask", "sighandler", "cwd", "state", "mthreads", "workerzmm").map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} through ckpt-save (gcore + CKPT notes)")
    @MethodSource("ckptImages")
    void ckptSaveImage(String name) throws Exception {
        Checkpoints.Taken cp = Checkpoints.ckptSave(dir, Build.feature(name), breakpoint(name), 0, null, "img." + name);
        check(name, cp);
    }

    @ParameterizedTest(name = "{0} through a gdb core")
    @MethodSource("gdbCores")
    void gdbCore(String name) throws Exception {
        Checkpoints.Taken cp = Checkpoints.gdb(dir, Build.feature(name), breakpoint(name), 0, null, "core." + name);
        check(name, cp);
    }

    @ParameterizedTest(name = "{0} through a kernel core (ASLR on)")
    @MethodSource("kernelCores")
    void kernelCore(String name) throws Exception {
        Checkpoints.Taken cp = Checkpoints.kernel(dir, Build.feature(name));
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

    private void check(String name, Checkpoints.Taken cp) throws Exception {
        assertThat(cp.before()).doesNotContain("FAIL");
        Run r = Checkpoints.restart(dir, "-n", "-w", cp.core().toString());
        assertThat(r.out).as("%s", r).contains("PASS " + name).doesNotContain("FAIL");
        assertThat(r.exit).as("%s", r).isZero();
    }
}
