package dev.ckpt.cli;

import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where ckpt's own files are. */
public final class Paths {
    private Paths() {}

    /** The repository (or installation) root: system property {@code ckpt.basedir}, else the parent of target/. */
    public static Path baseDir() {
        String prop = System.getProperty("ckpt.basedir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        return NativeEngine.targetDir().getParent();
    }

    /** gdb-scripts/: driver.py and ckpt.py, loaded into gdb. */
    public static Path gdbScripts() {
        return baseDir().resolve("gdb-scripts");
    }

    /** Removes a temporary directory we made, quietly. */
    public static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left behind in the temp directory
                }
            });
        } catch (IOException e) {
            // already gone
        }
    }
}
