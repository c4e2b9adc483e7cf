package dev.ckpt.differential;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Method (c): the program runs with libsavefds.so preloaded; SIGQUIT makes it
 * write {@code filedescriptors} and {@code core.<pid>} into its working
 * directory and die of the signal. The two files are moved out of the working
 * directory (it is compared with the reference's), and the restart reads the
 * files from {@code filedescriptors}, as in the seed: {@code restart -f}.
 *
 * <p>That text names files only: a descriptor of a kernel object (a pipe, a
 * socket pair, an eventfd, an epoll ...; a line whose file is not a path, e.g.
 * {@code socket:[123]}) cannot come back through it (docs/LIMITS.md). When the
 * list has one, the restart uses the core's own notes instead (restart's
 * default: CKPT FILES and KOBJ), which carry those objects.
 */
final class SignalSavefds implements CheckpointMethod {

    @Override
    public String name() {
        return "savefds";
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("LD_PRELOAD", Build.target().resolve("lib/libsavefds.so").toString());
    }

    @Override
    public int deathStatus() {
        return 128 + 3;
    }

    @Override
    public List<String> checkpoint(Process program, Path work, Path images) throws Exception {
        long pid = program.pid();
        Run quit = Run.of("kill", "-QUIT", Long.toString(pid)).timeout(Duration.ofSeconds(10)).go();
        if (!program.waitFor(90, TimeUnit.SECONDS)) {
            throw new AssertionError("still running 90 s after SIGQUIT: " + quit);
        }
        Path core = work.resolve("core." + pid), fds = work.resolve("filedescriptors");
        if (program.exitValue() != deathStatus()) {
            if (!Files.exists(core)) {
                return null;    // it had finished before the signal came
            }
            throw new AssertionError("libsavefds.so wrote " + core + " but the program exited "
                    + program.exitValue() + " instead of dying of SIGQUIT");
        }
        if (!Files.exists(core) || !Files.exists(fds)) {
            throw new AssertionError("died of SIGQUIT without writing " + core + " and " + fds
                    + " (is libsavefds.so loaded?) " + quit);
        }
        Path movedCore = Files.move(core, images.resolve(core.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        Path movedFds = Files.move(fds, images.resolve("filedescriptors"), StandardCopyOption.ATOMIC_MOVE);
        if (namesKernelObjects(movedFds)) {
            return List.of(movedCore.toString());
        }
        return List.of("--filedes=" + movedFds, movedCore.toString());
    }

    /** Whether a {@code filedescriptors} list has a line whose file is not a path ({@code fd : file : ...}). */
    static boolean namesKernelObjects(Path fds) throws java.io.IOException {
        return Files.readAllLines(fds).stream().map(l -> l.split(" : ", 3))
                .anyMatch(f -> f.length >= 2 && !f[1].startsWith("/"));
    }
}
