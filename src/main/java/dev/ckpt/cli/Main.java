package dev.ckpt.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code ckpt} command. {@link #run} is what tests call; only
 * {@link #main} exits the JVM.
 *
 * <p>A usage error is two lines: what is wrong, and where to read more. An exception
 * nobody expected is a bug: one line naming it, one asking for a report, and
 * {@link ExitCodes#INTERNAL_ERROR} (125 for the commands that pass on a program's status).
 */
@Command(name = "ckpt", mixinStandardHelpOptions = true, version = "ckpt 0.1.0",
        description = "Checkpoint a running Linux x86-64 process into an ELF core file, and restart it.",
        footer = {"", "Exit status: see docs/EXIT-CODES.md."},
        subcommands = {GdbCommand.class, DumpCommand.class, InspectCommand.class, VerifyCommand.class,
                RestartCommand.class, DebugCommand.class, dev.ckpt.suite.SuiteCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    static boolean passesExitStatus(CommandLine cl) {
        return cl != null && cl.getCommand() instanceof ExitCodes.PassesExitStatus;
    }

    /** Runs ckpt with the given arguments and returns its exit status. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            String m = String.valueOf(ex.getMessage());
            c.getErr().println(name + ": " + (m.startsWith("Error: ") ? m.substring(7) : m));
            c.getErr().println("Try '" + name + " --help' for more information.");
            c.getErr().flush();
            return ExitCodes.BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> internalError(ex, c));
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** An exception nobody expected: one line naming it, one asking for a bug report; its exit status. */
    static int internalError(Exception ex, CommandLine c) {
        String name = c.getCommandSpec().qualifiedName();
        c.getErr().println(name + ": internal error: " + ex);
        StackTraceElement[] st = ex.getStackTrace();
        c.getErr().println("This is a bug in ckpt; please report it with the command line"
                + (st.length > 0 ? " and this place: " + st[0] : "") + ".");
        c.getErr().flush();
        return passesExitStatus(c) ? ExitCodes.CKPT_FAILED : ExitCodes.INTERNAL_ERROR;
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }
}
