package dev.ckpt.cli;

import dev.ckpt.gdb.CheckpointException;
import dev.ckpt.gdb.GdbDriver;
import dev.ckpt.gdb.Tools;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ckpt dump PID}: checkpoint a running process with the native dumper
 * (target/bin/ckpt-dump), or through gdb with --gdb; it keeps running unless --kill.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Stop the running process PID with ptrace, write a checkpoint of it, and let it go on "
                + "or, with --kill, kill it once the checkpoint is on disk. The last line on stderr gives the "
                + "time the process was stopped (frozen) and the total time.",
        footer = {"", "Exit status: 0 written; 2 bad input (no such process), 3 gdb (--gdb) or ckpt-dump missing, "
                + "4 cannot attach (or gdb failed), 6 the checkpoint could not be written. "
                + "A failure never kills the process."})
public final class DumpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "The process to checkpoint.")
    long pid;

    @Option(names = "--core", paramLabel = "FILE", description = "Where to write the checkpoint (default: core.PID).")
    Path core;

    @Option(names = "--kill", description = "Kill the process after the checkpoint.")
    boolean kill;

    @Option(names = "--gdb", description = "Checkpoint through gdb (attach, ckpt-save) instead of the native dumper.")
    boolean viaGdb;

    @Option(names = "--json", description = "Print what was written and the times as one JSON object on stdout "
            + "(native dumper only).")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, "ckpt dump");
        if (pid <= 0 || ProcessHandle.of(pid).isEmpty()) {
            return progress.fail(ExitCodes.BAD_INPUT, pid + ": no such process");
        }
        if (pid == ProcessHandle.current().pid()) {
            return progress.fail(ExitCodes.BAD_INPUT, pid + ": that is ckpt itself");
        }
        if (!viaGdb) {
            Path out = core != null ? core : Path.of("core." + pid);
            return NativeDump.run(spec.commandLine().getOut(), err, pid, out, kill, json);
        }
        if (json) {
            return progress.fail(ExitCodes.BAD_INPUT, "--json is for the native dumper, not with --gdb");
        }
        Path gdb = Tools.gdb().orElse(null);
        if (gdb == null) {
            return progress.fail(ExitCodes.MISSING_TOOL, Tools.gdbMissingMessage());
        }
        Path out = core != null ? core : Path.of("core." + pid);
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return progress.fail(ExitCodes.BAD_INPUT, out + ": no such directory for the checkpoint");
        }
        try {
            new GdbDriver(gdb, Paths.gdbScripts(), progress::line).dump(pid, out, kill);
            return ExitCodes.OK;
        } catch (CheckpointException e) {
            return progress.fail(Progress.exitCode(e.reason()), e.getMessage());
        }
    }
}
