package dev.ckpt.cli;

import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ckpt restart CORE [EXECUTABLE] [options]}: verify, then run the native engine.
 * Unlike the native {@code restart}, it runs the process and waits for it by default.
 */
@Command(name = "restart",
        customSynopsis = {"ckpt restart [OPTIONS] CORE [EXECUTABLE]", "       ckpt restart [OPTIONS] EXECUTABLE CORE"},
        description = {"Restart a process from a checkpoint: verify it (as ckpt verify), then run the native "
                + "restore engine. By default the process runs and ckpt waits for it and exits with its status "
                + "(128+signal when it was killed). CORE and EXECUTABLE may come in either order (the seed's "
                + "restart takes EXECUTABLE CORE): the ELF header tells them apart."},
        footer = {"", "Exit status: the program's; 2 not a usable core or a problem found (nothing started), "
                + "125 ckpt failed, 126 the engine failed to restore it, 127 the engine is not built "
                + "(docs/EXIT-CODES.md)."})
public final class RestartCommand extends CoreCommand implements Callable<Integer>, ExitCodes.PassesExitStatus {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Parameters(index = "0", paramLabel = "CORE", description = "the checkpoint (an ELF core file)")
    Path core;

    @Parameters(index = "1", arity = "0..1", paramLabel = "EXECUTABLE",
            description = "the program to restart it with (default: the one the core names)")
    Path executable;

    @Option(names = {"-n", "--nostop"}, description = "accepted for the seed's habit `restart -n -w`: "
            + "running the process is already the default")
    boolean nostop;

    @Option(names = {"-w", "--wait"}, description = "accepted for the seed's habit: waiting is already the default")
    boolean waitOption;

    @Option(names = "--stop", description = "leave the restored process stopped (SIGSTOP) for a debugger")
    boolean stop;

    @Option(names = "--detach", description = "do not wait for the restored process")
    boolean detach;

    @Option(names = "--force", description = "restart even when a file is not the build checkpointed or an open"
            + " file is missing (the engine says each problem it overrides)")
    boolean force;

    @Option(names = {"-f", "--filedes"}, arity = "0..1", fallbackValue = "", paramLabel = "FILE",
            description = "reopen the files listed in FILE (default: filedescriptors)")
    String filedes;

    @Option(names = {"-k", "--skip-missing"}, description = "leave a saved open file that no longer exists closed")
    boolean skipMissing;

    @Option(names = {"-p", "--same-pid"}, description = "restore the old pid when it is free")
    boolean samePid;

    @Option(names = {"-V", "--verbose"}, description = "let the engine say what it does (-VV: more)")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-s", "--select"}, description = "ask per memory region")
    boolean select;

    @Option(names = {"-b", "--breakpoint"}, paramLabel = "ADDR", description = "passed to the engine")
    String breakpoint;

    /** The options passed to the native engine. */
    List<String> engineOptions() {
        List<String> o = new ArrayList<>();
        if (!stop) {
            o.add("-n");
        }
        if (!detach) {
            o.add("-w");
        }
        if (filedes != null) {
            o.add(filedes.isEmpty() ? "-f" : "--filedes=" + filedes);
        }
        if (skipMissing) {
            o.add("-k");
        }
        if (samePid) {
            o.add("-p");
        }
        for (int i = 0; i < verbose.length; i++) {
            o.add("-V");
        }
        if (select) {
            o.add("-s");
        }
        if (breakpoint != null) {
            o.add("--breakpoint=" + breakpoint);
        }
        if (force) {
            o.add("--force");
        }
        // a restore that fails is ckpt's failure, not the program's exit 1 (docs/EXIT-CODES.md)
        o.add("--failed-status=" + ExitCodes.CANNOT_RUN);
        return o;
    }

    @Override
    public Integer call() {
        Path[] ce = coreAndExecutable(core, executable);
        core = ce[0];
        executable = ce[1];
        if (nostop && stop) {
            err().println("ckpt restart: -n (run it) and --stop (leave it stopped) contradict each other");
            err().println("Try 'ckpt restart --help' for more information.");
            err().flush();
            return ExitCodes.BAD_INPUT;
        }
        try {
            NativeEngine.requireRestart();
        } catch (IOException e) {
            err().println("ckpt restart: " + e.getMessage());
            err().flush();
            return ExitCodes.passThrough(ExitCodes.MISSING_TOOL);
        }
        // The engine's own checks (those of ckpt verify), asked first so that a refusal is said
        // here, one line each, before anything runs. The engine makes them again when it runs,
        // and says the warnings and what --force overrides itself.
        try {
            Integer refused = engineRefusal(checkOptions(), executable, core);
            if (refused != null) {
                return refused;
            }
            out().flush();
            err().flush();
            return NativeEngine.run(engineOptions(), executable, core);
        } catch (IOException e) {
            err().println("ckpt restart: cannot run the engine: " + e.getMessage());
            err().flush();
            return ExitCodes.passThrough(ExitCodes.RESTORE_FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.passThrough(ExitCodes.RESTORE_FAILED);
        }
    }

    /** The options that change what the engine's check finds: saved files, --force. */
    private List<String> checkOptions() {
        List<String> opts = new ArrayList<>();
        for (String o : engineOptions()) {
            if (o.startsWith("--filedes") || o.equals("-f") || o.equals("-k") || o.equals("--force")) {
                opts.add(o);
            }
        }
        return opts;
    }
}
