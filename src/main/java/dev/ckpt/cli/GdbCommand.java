package dev.ckpt.cli;

import dev.ckpt.gdb.CheckpointException;
import dev.ckpt.gdb.GdbDriver;
import dev.ckpt.gdb.GdbDriver.Checkpoint;
import dev.ckpt.gdb.GdbDriver.RunRequest;
import dev.ckpt.gdb.ProgramStdio;
import dev.ckpt.gdb.ShellWords;
import dev.ckpt.gdb.Tools;
import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ckpt gdb} (installed as {@code ckpt-gdb}): run a program under gdb to a
 * breakpoint hit, checkpoint it, kill it, and restart it from the checkpoint.
 */
@Command(name = "gdb", mixinStandardHelpOptions = true,
        description = {
            "Run PROGRAM under gdb, stop at LOC, continue N times as gdb's `continue N` does "
                    + "(the checkpoint is taken at hit N+1), write the checkpoint, kill the program "
                    + "and restart it from the checkpoint; exit with the program's status.",
            "The checkpoint is kept (core.PROGRAM in the current directory, or --core FILE) and the "
                    + "commands that restart or debug it are printed. With several points "
                    + "(--cont 1000,5000,8990) one image is written per point, FILE.N, and the restart "
                    + "is from the last one.",
            "The program's stdin, stdout and stderr are ckpt-gdb's own (or the input given); "
                    + "progress goes to stderr."},
        footer = {"", "Exit status: the program's; 2 bad input (nothing ran), 124 --timeout expired, 125 ckpt-gdb "
                + "failed (gdb failed, the checkpoint was never reached or could not be written), 126 the restart "
                + "failed, 127 gdb or the engine not found (docs/EXIT-CODES.md)."})
public final class GdbCommand implements Callable<Integer>, ExitCodes.PassesExitStatus {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "The program to run (a path, or a name looked up in . and the PATH).")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for PROGRAM (put them after --).")
    List<String> args = new ArrayList<>();

    @Option(names = "--break", paramLabel = "LOC", defaultValue = "main",
            description = "Where to stop: a gdb location (29, file.c:29, function). Default: ${DEFAULT-VALUE}.")
    String location;

    @Option(names = "--cont", paramLabel = "N[,N...]", split = ",", defaultValue = "0",
            description = "Continue N times after the first stop, like gdb's `continue N`: checkpoint at hit N+1. "
                    + "Several increasing counts write one checkpoint at each.")
    List<Long> conts = new ArrayList<>();

    static final class Input {
        @Option(names = "--input", paramLabel = "TEXT",
                description = "Give the program TEXT as stdin (a newline is added when TEXT lacks one).")
        String text;

        @Option(names = "--stdin", paramLabel = "FILE", description = "Give the program FILE as stdin.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Input input;

    @Option(names = "--core", paramLabel = "FILE",
            description = "Write the checkpoint to FILE (default: core.PROGRAM in the current directory); "
                    + "with several --cont points FILE.N for each.")
    Path core;

    @Option(names = "--rm-core", description = "Delete the checkpoint(s) after the restart.")
    boolean rmCore;

    @Option(names = "--no-restart", description = "Only write the checkpoint: do not restart from it.")
    boolean noRestart;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Give up when the (last) checkpoint is not reached within DURATION (30, 30s, 500ms, 5m, "
                    + "1h): the program is killed and ckpt-gdb exits 124.")
    String timeout;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, "ckpt-gdb");
        Path tempDir = null;
        Thread cleanup = null;
        try {
            for (int i = 0; i < conts.size(); i++) {
                if (conts.get(i) < 0) {
                    return progress.fail(ExitCodes.BAD_INPUT, "--cont " + conts.get(i) + ": must not be negative");
                }
                if (i > 0 && conts.get(i) <= conts.get(i - 1)) {
                    return progress.fail(ExitCodes.BAD_INPUT, "--cont " + joined(conts) + ": the counts must increase");
                }
            }
            Duration limit = null;
            if (timeout != null) {
                limit = parseDuration(timeout);
                if (limit == null) {
                    return progress.fail(ExitCodes.BAD_INPUT, "--timeout " + timeout
                            + ": not a duration (e.g. 30, 30s, 500ms, 5m, 1h)");
                }
            }
            if (rmCore && noRestart) {
                return progress.fail(ExitCodes.BAD_INPUT, "--rm-core with --no-restart would keep nothing");
            }
            Path prog = resolveProgram(program);
            if (prog == null) {
                return progress.fail(ExitCodes.BAD_INPUT, program + ": no such program");
            }
            if (!Files.isRegularFile(prog) || !Files.isExecutable(prog)) {
                return progress.fail(ExitCodes.BAD_INPUT, program + ": not an executable file");
            }
            Path gdb = Tools.gdb().orElse(null);
            if (gdb == null) {
                return progress.fail(ExitCodes.NOT_FOUND, Tools.gdbMissingMessage());
            }
            if (!noRestart && !Files.isExecutable(NativeEngine.restartBinary())) {
                return progress.fail(ExitCodes.NOT_FOUND, NativeEngine.restartBinary()
                        + ": restore engine not built (run: mvn -q package -DskipTests)");
            }
            Path stdinFile = null;
            if (input != null && input.file != null) {
                if (!Files.isReadable(input.file) || Files.isDirectory(input.file)) {
                    return progress.fail(ExitCodes.BAD_INPUT, input.file + ": cannot read it (--stdin)");
                }
                stdinFile = input.file.toAbsolutePath();
            }
            Path base = core != null ? core : Path.of("core." + prog.getFileName());
            Path parent = base.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                return progress.fail(ExitCodes.BAD_INPUT, base + ": no such directory for the checkpoint");
            }
            List<Path> cores = new ArrayList<>();
            for (long c : conts) {
                cores.add(conts.size() == 1 ? base : Path.of(base + "." + c));
            }
            if (input != null && input.text != null) {
                tempDir = Files.createTempDirectory("ckpt-gdb-");
                // Ctrl-C or SIGTERM end the JVM without this method's finally: remove it then too
                Path doomed = tempDir;
                cleanup = new Thread(() -> Paths.deleteTree(doomed), "ckpt-gdb-tempdir");
                Runtime.getRuntime().addShutdownHook(cleanup);
                stdinFile = tempDir.resolve("input");
                String t = input.text.endsWith("\n") ? input.text : input.text + "\n";
                Files.writeString(stdinFile, t, StandardCharsets.UTF_8);
            }

            GdbDriver driver = new GdbDriver(gdb, Paths.gdbScripts(), progress::line);
            List<Checkpoint> written = driver.runToCheckpoints(
                    new RunRequest(prog, args, location, conts, stdinFile, cores, limit));
            Checkpoint last = written.get(written.size() - 1);
            if (!rmCore) {
                tellCommands(progress, written);
            }
            if (noRestart) {
                return ExitCodes.OK;
            }
            if (written.size() > 1) {
                progress.line("restarting from the last checkpoint");
            }
            int status;
            try {
                status = Restart.run(last.core(), stdinFile, last.stdinOffset(), progress);
            } finally {
                if (rmCore) {
                    for (Checkpoint c : written) {
                        Files.deleteIfExists(c.core());
                    }
                }
            }
            return status;
        } catch (CheckpointException e) {
            return progress.fail(ExitCodes.passThrough(Progress.exitCode(e.reason())), e.getMessage());
        } catch (IOException e) {
            return progress.fail(ExitCodes.BAD_INPUT, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return progress.fail(ExitCodes.CANNOT_RUN, "interrupted");
        } finally {
            Paths.deleteTree(tempDir);
            if (cleanup != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException e) {
                    // shutting down: the hook runs
                }
            }
        }
    }

    /** The lines that say where the checkpoints are and how to use them again. */
    private static void tellCommands(Progress progress, List<Checkpoint> written) {
        for (Checkpoint c : written) {
            progress.line("checkpoint kept at " + c.core());
        }
        String last = ShellWords.shell(shortPath(written.get(written.size() - 1).core()).toString());
        progress.line("restart it: ckpt restart " + last + "    debug it: ckpt debug " + last);
    }

    private static Path shortPath(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p) : p;
    }

    private static String joined(List<Long> l) {
        StringBuilder b = new StringBuilder();
        for (long x : l) {
            b.append(b.length() == 0 ? "" : ",").append(x);
        }
        return b.toString();
    }

    /** "30", "30s", "500ms", "5m", "1h" (a positive whole number); null when not one. */
    static Duration parseDuration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)?").matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        if (n == 0) {
            return null;
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** As gdb finds its program: a path with a slash as given; a bare name in . and then on the PATH. */
    static Path resolveProgram(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name).toAbsolutePath();
            return Files.exists(p) ? p : null;
        }
        Path here = Path.of(name).toAbsolutePath();
        if (Files.isRegularFile(here)) {
            return here;
        }
        return Tools.onPath(name).orElse(null);
    }
}
