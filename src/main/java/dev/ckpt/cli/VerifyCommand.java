package dev.ckpt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ckpt verify CORE [EXECUTABLE]}: can this checkpoint be restarted here? The
 * answer is the restore engine's own ({@code restart --check --json}): what verify
 * reports as a problem is exactly what makes the engine refuse.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check whether a checkpoint can be restarted on this machine, with the checks the",
            "restore engine makes before it runs anything: every thread is in the core, this CPU has",
            "the state the core holds, the executable and the mapped files are the builds",
            "checkpointed (GNU build-id), the open files and the working directory exist. A core",
            "of a crashed process is reported as a crash (see ckpt debug).",
            "Exit status: 0 no problem (warnings allowed), 1 problems or a crash,",
            "2 not a usable core, 3 the engine is not built."})
public final class VerifyCommand extends CoreCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CORE", description = "the checkpoint (an ELF core file)")
    Path core;

    @Parameters(index = "1", arity = "0..1", paramLabel = "EXECUTABLE",
            description = "the program to restart it with (default: the one the core names)")
    Path executable;

    @Option(names = "--json", description = "print the engine's report: {\"core\", \"ok\", \"refused\", \"crash\","
            + " \"problems\": [{\"kind\", \"file\", \"message\", \"severity\"}]} (docs/INSPECT.md)")
    boolean json;

    @Override
    public Integer call() {
        NativeEngine.Check k;
        try {
            NativeEngine.requireRestart();
            k = NativeEngine.check(List.of(), executable, core);
        } catch (IOException e) {
            err().println("ckpt verify: " + e.getMessage());
            err().flush();
            return ExitCodes.MISSING_TOOL;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.RESTORE_FAILED;
        }
        JsonNode report;
        try {
            report = k.json().isBlank() ? null : InspectCommand.JSON.readTree(k.json());
        } catch (IOException e) {
            report = null;
        }
        if (report == null || k.status() == ExitCodes.BAD_INPUT) {
            err().println("ckpt verify: " + (k.error().isEmpty() ? core + ": the restore engine failed (exit "
                    + k.status() + ")" : k.error()));
            err().flush();
            return k.status() == ExitCodes.BAD_INPUT ? ExitCodes.BAD_INPUT : ExitCodes.RESTORE_FAILED;
        }
        boolean ok = report.path("ok").asBoolean(false);
        PrintWriter out = out();
        if (json) {
            ((ObjectNode) report).put("core", core.toString());
            try {
                out.println(InspectCommand.JSON.writeValueAsString(report));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            for (JsonNode p : report.path("problems")) {
                String sev = p.path("severity").asText();
                out.println(core + ": " + (sev.equals("warning") ? "warning: " : "") + p.path("message").asText());
            }
            if (ok) {
                out.println(core + ": ok, can be restarted here");
            }
        }
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }
}
