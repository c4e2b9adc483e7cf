package dev.ckpt.cli;

import dev.ckpt.gdb.Tools;
import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ckpt debug CORE [EXECUTABLE] [-- GDB-ARGS...]}: restore a checkpoint stopped and
 * run gdb attached to it there. The work is gdb-scripts/ckpt_restart.py's
 * {@code ckpt-restart}; this command checks the image first and starts gdb with it.
 */
@Command(name = "debug",
        customSynopsis = {"ckpt debug [--force] CORE [EXECUTABLE] [-- GDB-ARGS...]"},
        description = {"Restore the process of a checkpoint, stopped where the checkpoint was taken, and run "
                + "gdb attached to it there: `bt` shows that frame, `continue` runs the program on, gdb's "
                + "`quit` detaches and leaves it running. The program shares this terminal.",
            "On a core of a crashed process (a kernel core, `coredumpctl dump`) the process comes back to "
                + "life stopped at the faulting instruction: `call`, `set var`, `finish` work there.",
            "GDB-ARGS go to gdb after the attach, e.g. -- -batch -ex bt -ex continue. See docs/DEBUGGING.md."},
        footer = {"", "Exit status: gdb's; 2 not a usable core or a problem found (nothing started), 125 ckpt "
                + "failed, 127 gdb or the engine not found (docs/EXIT-CODES.md)."})
public final class DebugCommand extends CoreCommand implements Callable<Integer>, ExitCodes.PassesExitStatus {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Parameters(index = "0", paramLabel = "CORE", description = "the checkpoint or crash core (an ELF core file)")
    Path core;

    @Parameters(index = "1..*", paramLabel = "EXECUTABLE", arity = "0..*",
            description = "the program to restore it with (default: the one the core names); then, after --, "
                    + "gdb's arguments")
    List<String> rest = new ArrayList<>();

    @Option(names = "--force", description = "go on even when verify finds problems")
    boolean force;

    @Override
    public Integer call() {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        int dashes = original.indexOf("--");
        List<String> gdbArgs = dashes < 0 ? List.of() : original.subList(dashes + 1, original.size());
        int before = rest.size() - gdbArgs.size();
        if (before > 1) {
            err().println("ckpt debug: too many arguments before --: " + String.join(" ", rest.subList(0, before)));
            err().println("Try 'ckpt debug --help' for more information.");
            err().flush();
            return ExitCodes.BAD_INPUT;
        }
        Path[] ce = coreAndExecutable(core, before == 1 ? Path.of(rest.get(0)) : null);
        Path theCore = ce[0];
        Path exe = ce[1];
        try {
            Integer refused = engineRefusal(force ? List.of("--force") : List.of(), exe, theCore);
            if (refused != null) {
                return refused;
            }
        } catch (IOException e) {
            err().println("ckpt debug: cannot run the engine: " + e.getMessage());
            err().flush();
            return ExitCodes.passThrough(ExitCodes.RESTORE_FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.passThrough(ExitCodes.RESTORE_FAILED);
        }
        Path gdb = Tools.gdb().orElse(null);
        if (gdb == null) {
            err().println("ckpt debug: " + Tools.gdbMissingMessage());
            err().flush();
            return ExitCodes.NOT_FOUND;
        }
        Path engine;
        try {
            engine = NativeEngine.requireRestart();
        } catch (IOException e) {
            err().println("ckpt debug: " + e.getMessage());
            err().flush();
            return ExitCodes.NOT_FOUND;
        }
        Path script = Paths.gdbScripts().resolve("ckpt_restart.py");
        if (!Files.isReadable(script)) {
            err().println("ckpt debug: " + script + ": no such gdb script");
            err().flush();
            return ExitCodes.NOT_FOUND;
        }
        List<String> cmd = new ArrayList<>(List.of(gdb.toString(), "-q", "-x", script.toString()));
        if (exe != null) {
            cmd.add(exe.toAbsolutePath().toString());
        }
        cmd.add("-ex");
        cmd.add("ckpt-restart " + gdbQuote(theCore.toAbsolutePath().toString())
                + (exe != null ? " " + gdbQuote(exe.toAbsolutePath().toString()) : ""));
        cmd.addAll(gdbArgs);
        out().flush();
        err().flush();
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("CKPT_RESTART", engine.toString());
        try {
            return Terminal.runInForeground(pb);
        } catch (IOException e) {
            err().println("ckpt debug: cannot run " + gdb + ": " + e.getMessage());
            err().flush();
            return ExitCodes.CKPT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.CKPT_FAILED;
        }
    }

    /** A word for gdb's argument splitting (gdb.string_to_argv): single quotes, backslash escapes. */
    static String gdbQuote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
