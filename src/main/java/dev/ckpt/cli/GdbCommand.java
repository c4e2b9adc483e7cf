package dev.ckpt.cli;

import dev.ckpt.gdb.CheckpointException;
import dev.ckpt.gdb.GdbDriver;
import dev.ckpt.gdb.GdbDriver.Checkpoint;
import dev.ckpt.gdb.GdbDriver.RunRequest;
import dev.ckpt.gdb.ProgramStdio;
import dev.ckpt.gdb.Tools;
import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            "The program's stdin, stdout and stderr are ckpt-gdb's own (or the input given); "
                    + "progress goes to stderr."},
        footer = {"", "Exit status: the program's; 2 bad input, 3 gdb or the engine missing, 4 gdb failed, "
                + "5 the program never reached the checkpoint, 6 the checkpoint could not be written."})
public final class GdbCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "The program to run (a path, or a name looked up in . and the PATH).")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for PROGRAM (put them after --).")
    List<String> args = new ArrayList<>();

    @Option(names = "--break", paramLabel = "LOC", defaultValue = "main",
            description = "Where to stop: a gdb location (29, file.c:29, function). Default: ${DEFAULT-VALUE}.")
    String location;

    @Option(names = "--cont", paramLabel = "N", defaultValue = "0",
            description = "Continue N times after the first stop, like gdb's `continue N`: checkpoint at hit N+1.")
    long cont;

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
            description = "Write the checkpoint to FILE and keep it (default: a temporary file, deleted after the "
                    + "restart; with --no-restart: core.PROGRAM in the current directory).")
    Path core;

    @Option(names = "--no-restart", description = "Only write the checkpoint: do not restart from it.")
    boolean noRestart;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, "ckpt-gdb");
        Path tempDir = null;
        Thread cleanup = null;
        try {
            if (cont < 0) {
                return progress.fail(ExitCodes.BAD_INPUT, "--cont " + cont + ": must not be negative");
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
                return progress.fail(ExitCodes.MISSING_TOOL, Tools.gdbMissingMessage());
            }
            if (!noRestart && !Files.isExecutable(NativeEngine.restartBinary())) {
                return progress.fail(ExitCodes.MISSING_TOOL, NativeEngine.restartBinary()
                        + ": restore engine not built (run: mvn -q package -DskipTests)");
            }
            Path stdinFile = null;
            if (input != null && input.file != null) {
                if (!Files.isReadable(input.file) || Files.isDirectory(input.file)) {
                    return progress.fail(ExitCodes.BAD_INPUT, input.file + ": cannot read it (--stdin)");
                }
                stdinFile = input.file.toAbsolutePath();
            }
            if (core != null) {
                Path parent = core.toAbsolutePath().getParent();
                if (parent == null || !Files.isDirectory(parent)) {
                    return progress.fail(ExitCodes.BAD_INPUT, core + ": no such directory for the checkpoint");
                }
            }
            if ((input != null && input.text != null) || (core == null && !noRestart)) {
                tempDir = Files.createTempDirectory("ckpt-gdb-");
                // Ctrl-C or SIGTERM end the JVM without this method's finally: remove it then too
                Path doomed = tempDir;
                cleanup = new Thread(() -> Paths.deleteTree(doomed), "ckpt-gdb-tempdir");
                Runtime.getRuntime().addShutdownHook(cleanup);
            }
            if (input != null && input.text != null) {
                stdinFile = tempDir.resolve("input");
                String t = input.text.endsWith("\n") ? input.text : input.text + "\n";
                Files.writeString(stdinFile, t, StandardCharsets.UTF_8);
            }
            Path corePath = core != null ? core
                    : noRestart ? Path.of("core." + prog.getFileName()) : tempDir.resolve("core");

            GdbDriver driver = new GdbDriver(gdb, Paths.gdbScripts(), progress::line);
            Checkpoint c = driver.runToCheckpoint(new RunRequest(prog, args, location, cont, stdinFile, corePath));
            if (noRestart) {
                progress.line("checkpoint kept at " + c.core() + " (--no-restart)");
                return ExitCodes.OK;
            }
            int status = Restart.run(c.core(), stdinFile, c.stdinOffset(), progress);
            if (core != null) {
                progress.line("checkpoint kept at " + c.core());
            }
            return status;
        } catch (CheckpointException e) {
            return progress.fail(Progress.exitCode(e.reason()), e.getMessage());
        } catch (IOException e) {
            return progress.fail(ExitCodes.BAD_INPUT, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return progress.fail(ExitCodes.RESTORE_FAILED, "interrupted");
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
