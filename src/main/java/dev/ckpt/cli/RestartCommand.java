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
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Restart a process from a checkpoint: verify it (as ckpt verify), then run the",
            "native restore engine. By default the process runs and ckpt waits for it and exits",
            "with its status (128+signal when it was killed).",
            "Exit status: the program's; 2 not a usable core or a problem found (nothing started),",
            "3 the engine is not built, 7 the engine failed."})
public final class RestartCommand extends CoreCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CORE", description = "the checkpoint (an ELF core file)")
    Path core;

    @Parameters(index = "1", arity = "0..1", paramLabel = "EXECUTABLE",
            description = "the program to restart it with (default: the one the core names)")
    Path executable;

    @Option(names = "--stop", description = "leave the restored process stopped (SIGSTOP) for a debugger")
    boolean stop;

    @Option(names = "--detach", description = "do not wait for the restored process")
    boolean detach;

    @Option(names = "--force", description = "restart even when verify finds problems")
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
        return o;
    }

    @Override
    public Integer call() {
        Loaded l;
        try {
            l = load(core);
        } catch (Unusable u) {
            return unusable(u);
        }
        CoreReport r = CoreReport.build(l.core(), l.image());
        List<Verifier.Problem> problems = new ArrayList<>(Verifier.problems(l.core(), l.image(), r, executable));
        if (skipMissing) {
            problems.removeIf(p -> p.kind().equals("open-file-missing"));
        }
        if (!problems.isEmpty()) {
            for (Verifier.Problem p : problems) {
                err().println("ckpt restart: " + core + ": " + p.message() + (force ? " (--force: going on)" : ""));
            }
            err().flush();
            if (!force) {
                return ExitCodes.BAD_INPUT;
            }
        }
        try {
            NativeEngine.requireRestart();
        } catch (IOException e) {
            err().println("ckpt restart: " + e.getMessage());
            err().flush();
            return ExitCodes.MISSING_TOOL;
        }
        out().flush();
        err().flush();
        try {
            return NativeEngine.run(engineOptions(), executable, core);
        } catch (IOException e) {
            err().println("ckpt restart: cannot run the engine: " + e.getMessage());
            err().flush();
            return ExitCodes.RESTORE_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.RESTORE_FAILED;
        }
    }
}
