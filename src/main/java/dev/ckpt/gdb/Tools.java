package dev.ckpt.gdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finding the programs we run. */
public final class Tools {
    private Tools() {}

    /** {@code name} on the PATH, as a shell would find it. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /**
     * The gdb to run: environment variable {@code CKPT_GDB}, else system property
     * {@code ckpt.gdb}, else {@code gdb} on the PATH. Empty when that is not an
     * executable file.
     */
    public static Optional<Path> gdb() {
        String named = System.getenv("CKPT_GDB");
        if (named == null || named.isBlank()) {
            named = System.getProperty("ckpt.gdb");
        }
        if (named != null && !named.isBlank()) {
            Path p = named.contains("/") ? Path.of(named) : onPath(named).orElse(null);
            return p != null && Files.isRegularFile(p) && Files.isExecutable(p)
                    ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        return onPath("gdb");
    }

    /** What to tell a user whose gdb is missing. */
    public static String gdbMissingMessage() {
        String named = System.getenv("CKPT_GDB");
        if (named == null || named.isBlank()) {
            named = System.getProperty("ckpt.gdb");
        }
        if (named != null && !named.isBlank()) {
            return "gdb not found: " + named + " (named by CKPT_GDB / ckpt.gdb) is not an executable file";
        }
        return "gdb not found on the PATH: install it (Debian/Ubuntu: apt-get install gdb)";
    }
}
