package dev.ckpt.differential;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Method (d): the user's command, {@code bin/ckpt dump PID --core IMAGE --kill}:
 * the native dumper (target/bin/ckpt-dump: ptrace, no gdb) stops every thread,
 * writes the image and kills the program. The image holds the open files, so
 * {@code restart} reopens the program's files by itself. (ckpt dump --gdb, the
 * gdb path, is method (a)'s ckpt-save behind gdb's MI.)
 *
 * <p>The program is stopped with SIGSTOP first, so that the checkpoint is of
 * that moment whatever the launcher costs, and ckpt dump attaches to the
 * stopped process.
 */
final class CkptDumpKill implements CheckpointMethod {

    @Override
    public String name() {
        return "ckpt-dump";
    }

    @Override
    public List<String> checkpoint(Process program, Path work, Path images) throws Exception {
        Path image = images.resolve("image");
        Run stop = Run.of("kill", "-STOP", Long.toString(program.pid())).timeout(Duration.ofSeconds(10)).go();
        if (!GcoreWithFdFile.waitStopped(program.pid())) {
            if (Differential.endedOnItsOwn(program)) {
                return null;
            }
            throw new AssertionError("process " + program.pid() + " did not stop: " + stop);
        }
        Run dump = Run.of(Build.basedir().resolve("bin/ckpt").toString(), "dump", Long.toString(program.pid()),
                        "--core", image.toString(), "--kill")
                .timeout(Duration.ofSeconds(120)).go();
        if (!Files.exists(image)) {
            if (Differential.endedOnItsOwn(program)) {
                return null;
            }
            throw new AssertionError("ckpt dump wrote no image: " + dump);
        }
        return List.of(image.toString());
    }
}
