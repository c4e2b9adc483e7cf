package dev.ckpt.differential;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Method (a): gdb attaches to the running program, writes an image with the
 * project's {@code ckpt-save} (gcore + CKPT notes, gdb-scripts/ckpt.py) and kills
 * it; exactly what {@code ckpt dump PID --core FILE --kill} does. The image holds
 * the open files, so {@code restart} reopens the program's output files by itself.
 */
final class AttachCkptSave implements CheckpointMethod {

    @Override
    public String name() {
        return "ckpt-save";
    }

    @Override
    public List<String> checkpoint(Process program, Path work, Path images) throws Exception {
        Path image = images.resolve("image");
        Run gdb = Run.of("gdb", "-nx", "-batch", "-p", Long.toString(program.pid()),
                        "-x", Build.basedir().resolve("gdb-scripts/ckpt.py").toString(),
                        "-ex", "ckpt-save " + image, "-ex", "kill")
                .timeout(Duration.ofSeconds(90)).go();
        if (!Files.exists(image)) {
            if (Differential.endedOnItsOwn(program)) {
                return null;
            }
            throw new AssertionError("ckpt-save wrote no image: " + gdb);
        }
        return List.of(image.toString());
    }
}
