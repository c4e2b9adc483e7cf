package dev.ckpt.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code ckpt} command. {@link #run} is what tests call; only
 * {@link #main} exits the JVM.
 */
@Command(name = "ckpt", mixinStandardHelpOptions = true, version = "ckpt 0.1.0",
        description = "Checkpoint a running Linux x86-64 process into an ELF core file, and restart it.",
        subcommands = {GdbCommand.class, DumpCommand.class, InspectCommand.class, VerifyCommand.class,
                RestartCommand.class, dev.ckpt.suite.SuiteCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Runs ckpt with the given arguments and returns its exit status. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(t -> ExitCodes.BAD_INPUT);
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }
}
