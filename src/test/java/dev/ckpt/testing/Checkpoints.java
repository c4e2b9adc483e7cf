package dev.ckpt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Takes real checkpoints for tests: with gdb's gcore, or by letting the kernel dump a core. */
public final class Checkpoints {
    private Checkpoints() {}

    /** A checkpoint and what the program printed before it. */
    public record Taken(Path core, String before) {}

    /**
     * Runs PROGRAM under gdb in DIR, stops at BREAKPOINT (after CONTINUES more
     * crossings, like gdb's {@code continue N}), writes {@code gcore CORE} and kills it.
     * The program's stdin is INPUT (or /dev/null); its stdout and stderr go to a file.
     */
    public static Taken gdb(Path dir, Path program, String breakpoint, int continues, Path input,
                            String coreName, String... gdbExtra) throws IOException, InterruptedException {
        return underGdb(dir, program, breakpoint, continues, input, coreName, false, Map.of(), gdbExtra);
    }

    /** {@link #gdb} with more variables in the program's environment. */
    public static Taken gdb(Path dir, Path program, String breakpoint, Map<String, String> env, String coreName)
            throws IOException, InterruptedException {
        return underGdb(dir, program, breakpoint, 0, null, coreName, false, env);
    }

    /**
     * Like {@link #gdb} but writes the image with the project's gdb command
     * {@code ckpt-save} (gdb-scripts/ckpt.py): a gcore core plus the CKPT notes.
     */
    public static Taken ckptSave(Path dir, Path program, String breakpoint, int continues, Path input,
                                 String coreName) throws IOException, InterruptedException {
        return underGdb(dir, program, breakpoint, continues, input, coreName, true, Map.of());
    }

    /** {@link #ckptSave} with more variables in the program's environment. */
    public static Taken ckptSave(Path dir, Path program, String breakpoint, Map<String, String> env, String coreName)
            throws IOException, InterruptedException {
        return underGdb(dir, program, breakpoint, 0, null, coreName, true, env);
    }

    private static Taken underGdb(Path dir, Path program, String breakpoint, int continues, Path input,
                                  String coreName, boolean ckptSave, Map<String, String> env, String... gdbExtra)
            throws IOException, InterruptedException {
        Path before = dir.resolve("before.out");
        Path core = dir.resolve(coreName);
        List<String> cmd = new ArrayList<>(List.of("gdb", "-nx", "-batch", "-ex", "set pagination off"));
        if (ckptSave) {
            cmd.addAll(List.of("-x", Build.basedir().resolve("gdb-scripts/ckpt.py").toString()));
        }
        cmd.addAll(List.of("-ex", "break " + breakpoint,
                "-ex", "run < " + (input != null ? input : "/dev/null") + " > " + before + " 2>&1"));
        if (continues > 0) {
            cmd.addAll(List.of("-ex", "continue " + continues));
        }
        for (String e : gdbExtra) {
            cmd.addAll(List.of("-ex", e));
        }
        cmd.addAll(List.of("-ex", (ckptSave ? "ckpt-save " : "gcore ") + core, "-ex", "kill", program.toString()));
        Run.Spec spec = Run.of(withDefaultCoreFilter(cmd)).dir(dir).env("FEATURE_DIR", dir.toString());
        env.forEach(spec::env);
        Run r = spec.go();
        assertThat(core).as("gdb wrote no checkpoint: %s", r).exists();
        String out = Files.readString(before);
        Files.delete(before);
        return new Taken(core, out);
    }

    /**
     * Runs a feature program in DIR with CKPT_KERNEL_CORE=1 so that it sends itself
     * SIGQUIT at its checkpoint point, with an unlimited core size: the kernel writes
     * the core. Skips the test when this machine pipes cores to a crash handler.
     */
    public static Taken kernel(Path dir, Path program, String... args) throws IOException, InterruptedException {
        return kernel(dir, program, Map.of(), args);
    }

    /** {@link #kernel} with more variables in the program's environment. */
    public static Taken kernel(Path dir, Path program, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Assumptions.assumeTrue(Build.kernelCoresToFiles(),
                "kernel core_pattern is '" + Build.corePatternName() + "': cores do not land in the cwd");
        Path before = dir.resolve("before.out");
        StringBuilder cmd = new StringBuilder(DEFAULT_FILTER + "ulimit -c unlimited; exec");
        cmd.append(' ').append(quote(program.toString()));
        for (String a : args) {
            cmd.append(' ').append(quote(a));
        }
        cmd.append(" > ").append(quote(before.toString())).append(" 2>&1");
        Run.Spec spec = Run.of("bash", "-c", cmd.toString()).dir(dir).env("CKPT_KERNEL_CORE", "1")
                .env("FEATURE_DIR", dir.toString());
        env.forEach(spec::env);
        Run r = spec.go();
        assertThat(r.exit).as("program should die of SIGQUIT: %s", r).isEqualTo(128 + 3);
        Path core = findCore(dir);
        String out = Files.readString(before);
        Files.delete(before);
        return new Taken(core, out);
    }

    private static Path findCore(Path dir) throws IOException {
        String name = Build.corePatternName();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String f = p.getFileName().toString();
                return f.equals(name) || f.startsWith(name + ".") || f.startsWith("core");
            }).findFirst().orElseThrow(() -> new AssertionError("the kernel wrote no core in " + dir));
        }
    }

    /**
     * The JVM widens /proc/self/coredump_filter (to dump shared mappings) and its
     * children inherit that; a core taken under it differs from one taken from a
     * shell. Checkpoints here are taken with the kernel's default, 0x33, as a user's are.
     */
    private static final String DEFAULT_FILTER = "echo 0x33 > /proc/self/coredump_filter; ";

    private static List<String> withDefaultCoreFilter(List<String> cmd) {
        StringBuilder sh = new StringBuilder(DEFAULT_FILTER + "exec");
        for (String c : cmd) {
            sh.append(' ').append(quote(c));
        }
        return List.of("bash", "-c", sh.toString());
    }

    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs the native engine in DIR: {@code restart OPTIONS... ARGS...}. */
    public static Run restart(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Build.restart().toString());
        cmd.addAll(List.of(args));
        return Run.of(cmd).dir(dir).env("FEATURE_DIR", dir.toString()).go();
    }
}
