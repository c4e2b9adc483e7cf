package dev.ckpt.suite;

import dev.ckpt.cli.Paths;
import dev.ckpt.gdb.CheckpointException;
import dev.ckpt.gdb.GdbDriver;
import dev.ckpt.gdb.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Takes a scenario's checkpoint once (ckpt-gdb's workflow: run under gdb to the
 * breakpoint hit, write the core, kill the program) and keeps it in a cache keyed
 * by a SHA-256 of the program's bytes and of everything in the scenario that
 * shapes the checkpoint (program path, args, env, input, break, cont). Each entry
 * is a directory {@code KEY/} holding {@code core} and {@code stdin-offset}, made
 * under a temporary name and renamed into place, so concurrent suites share it.
 *
 * <p>The cache is {@code --cache-dir} when given, else {@code $CKPT_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/ckpt/suite}, else {@code ~/.cache/ckpt/suite}.
 */
public final class ImageCache {
    private final Path dir;
    private final Consumer<String> progress;

    public ImageCache(Path dir, Consumer<String> progress) {
        this.dir = dir;
        this.progress = progress;
    }

    public static Path defaultDir() {
        String own = System.getenv("CKPT_CACHE_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("ckpt").resolve("suite");
    }

    /** The scenario's image: the one it names, a cached one, or a new checkpoint. */
    public Image image(Scenario s) throws IOException, CheckpointException {
        if (s.checkpoint() != null) {
            return new Image(s.checkpoint(), -1, true);
        }
        String key = key(s);
        Path entry = dir.resolve(key);
        Path core = entry.resolve("core");
        Path offset = entry.resolve("stdin-offset");
        if (Files.isRegularFile(core) && Files.isRegularFile(offset)) {
            progress.accept(s.name() + ": checkpoint from the cache (" + entry + ")");
            return new Image(core, Long.parseLong(Files.readString(offset).trim()), true);
        }
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, key + ".tmp-");
        try {
            // no input: an empty stdin, never ours (a terminal would make the run wait)
            Path stdin = work.resolve("input");
            Files.writeString(stdin, s.input() == null ? "" : s.input(), StandardCharsets.UTF_8);
            Path gdb = Tools.gdb().orElseThrow(() -> new CheckpointException(CheckpointException.Reason.MISSING_TOOL,
                    Tools.gdbMissingMessage()));
            GdbDriver driver = new GdbDriver(gdb, Paths.gdbScripts(), line -> progress.accept(s.name() + ": " + line));
            GdbDriver.Checkpoint c = driver.runToCheckpoint(new GdbDriver.RunRequest(s.program(), s.args(),
                    s.location(), s.cont(), stdin, work.resolve("core"), s.env()));
            Files.writeString(work.resolve("stdin-offset"), Long.toString(c.stdinOffset()) + "\n");
            Files.delete(stdin);
            try {
                Files.move(work, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
                // another suite made it meanwhile: use theirs
                if (!Files.isRegularFile(core)) {
                    throw e;
                }
            }
            return new Image(core, c.stdinOffset(), false);
        } finally {
            Paths.deleteTree(Files.exists(work) ? work : null);
        }
    }

    /** Forgets a cached image (the engine refused it: a library or the program changed underneath). */
    public void forget(Scenario s) {
        if (s.checkpoint() == null) {
            Paths.deleteTree(dir.resolve(key(s)));
        }
    }

    static String key(Scenario s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(s.program()));
            Map<String, String> env = new TreeMap<>(s.env());
            String spec = String.join("\u0000", "ckpt-suite-1", s.program().toString(), String.join("\u0001", s.args()),
                    env.toString(), s.input() == null ? "\u0002" : s.input(), s.location(), Long.toString(s.cont()));
            md.update(spec.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(s.program() + ": cannot hash it: " + e.getMessage(), e);
        }
    }
}
