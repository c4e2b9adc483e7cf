package dev.ckpt.restore;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and runs the native parts built by {@code make -C native}: the restore
 * engine {@code restart} and the preload library {@code libsavefds.so}.
 *
 * <p>The build directory is the system property {@code ckpt.target} when set (the
 * tests and the launchers set it), else the directory holding ckpt's jar or classes
 * ({@code target/}).
 */
public final class NativeEngine {
    private NativeEngine() {}

    /** The build output directory ({@code target/}). */
    public static Path targetDir() {
        String prop = System.getProperty("ckpt.target");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        try {
            Path here = Path.of(NativeEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // target/ckpt.jar or target/classes
            return here.getParent().toAbsolutePath();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Path.of("target").toAbsolutePath();
        }
    }

    /** The native restore engine, {@code target/bin/restart}. */
    public static Path restartBinary() {
        return targetDir().resolve("bin/restart");
    }

    /** The preload library, {@code target/lib/libsavefds.so}. */
    public static Path savefdsLibrary() {
        return targetDir().resolve("lib/libsavefds.so");
    }

    /** Throws a clear error when the engine has not been built. */
    public static Path requireRestart() throws IOException {
        Path bin = restartBinary();
        if (!Files.isExecutable(bin)) {
            throw new IOException(bin + ": restore engine not built (run: mvn -q package -DskipTests)");
        }
        return bin;
    }

    /** The argument vector that runs {@code restart [options] [executable] core}. */
    public static List<String> command(List<String> options, Path executable, Path core) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(requireRestart().toString());
        cmd.addAll(options);
        if (executable != null) {
            cmd.add(executable.toString());
        }
        cmd.add(core.toString());
        return cmd;
    }

    /**
     * What {@code restart --check --json [EXECUTABLE] CORE} said: its exit status (0 fine,
     * 1 problems or a crash core, 2 the core is unusable), the JSON report on stdout (empty
     * when unusable) and the one-line reason on stderr (without the {@code restart: } prefix).
     */
    public record Check(int status, String json, String error) {}

    /**
     * Runs the engine's validator, the one set of checks a restart makes before it runs
     * anything (docs/RESTART.md, "--check"). Nothing is started.
     */
    public static Check check(List<String> options, Path executable, Path core) throws IOException, InterruptedException {
        List<String> opts = new ArrayList<>(List.of("--check", "--json"));
        opts.addAll(options);
        Path errFile = Files.createTempFile("ckpt-check", ".err");
        try {
            Process p = new ProcessBuilder(command(opts, executable, core))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(errFile.toFile()).start();
            String json;
            try (var in = p.getInputStream()) {
                json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            int status;
            try {
                status = p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                throw e;
            }
            String err = Files.readString(errFile).strip();
            if (err.startsWith("restart: ")) {
                err = err.substring("restart: ".length());
            }
            return new Check(status, json, err);
        } finally {
            Files.deleteIfExists(errFile);
        }
    }

    /**
     * Runs the engine with ckpt's own stdin, stdout and stderr, so the restored
     * program talks to the same terminal or pipes, and returns restart's exit status
     * (with {@code -w}: the restored program's status, 128+signal when it was killed).
     */
    public static int run(List<String> options, Path executable, Path core) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(options, executable, core)).inheritIO().start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
    }
}
