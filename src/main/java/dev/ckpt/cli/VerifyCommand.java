package dev.ckpt.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ckpt verify CORE [EXECUTABLE]}: can this checkpoint be restarted here? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check whether a checkpoint can be restarted on this machine: the executable and",
            "the mapped and open files exist and match, the working directory exists, every thread",
            "is in the core, and this CPU has the state the core holds.",
            "Exit status: 0 no problem, 1 problems (listed), 2 not a usable core."})
public final class VerifyCommand extends CoreCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CORE", description = "the checkpoint (an ELF core file)")
    Path core;

    @Parameters(index = "1", arity = "0..1", paramLabel = "EXECUTABLE",
            description = "the program to restart it with (default: the one the core names)")
    Path executable;

    @Option(names = "--json", description = "print {\"core\", \"ok\", \"problems\": [{\"kind\", \"message\"}]}")
    boolean json;

    @Override
    public Integer call() {
        Loaded l;
        try {
            l = load(core);
        } catch (Unusable u) {
            return unusable(u);
        }
        CoreReport r = CoreReport.build(l.core(), l.image());
        List<Verifier.Problem> problems = Verifier.problems(l.core(), l.image(), r, executable);
        PrintWriter out = out();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("core", core.toString());
            m.put("ok", problems.isEmpty());
            m.put("problems", problems);
            try {
                out.println(InspectCommand.JSON.writeValueAsString(m));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else if (problems.isEmpty()) {
            out.println(core + ": ok, can be restarted here");
        } else {
            for (Verifier.Problem p : problems) {
                out.println(core + ": " + p.message());
            }
        }
        out.flush();
        return problems.isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }
}
