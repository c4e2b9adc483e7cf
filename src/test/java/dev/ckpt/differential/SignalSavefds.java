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
        return List.of("--filedes=" + movedFds, movedCore.toString());
    }
}
