package dev.ckpt.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known failures: programs that run threads are checkpointed like the others,
 * and the engine refuses their images, exactly so: exit status 2, one line
 * "the process had N threads; multi-threaded restore is not supported yet",
 * nothing run. When multi-threaded restore lands these tests fail loudly and
 * the programs move to {@link SingleThreadedProgramsIT}.
 */
@Tag("differential")
class MultiThreadedProgramsIT {

    @TempDir
    static Path shared;

    static Inputs inputs;
    static final Map<String, Differential.Outcome> references = new HashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void seed() throws Exception {
        inputs = new Inputs(Files.createDirectories(shared.resolve("inputs")));
        System.out.println("differential: seed " + Differential.SEED + " (replay with -Dckpt.seed="
                + Differential.SEED + ")");
    }

    @AfterEach
    void noneLeft() throws Exception {
        Differential.killAll();
    }

    static Stream<Arguments> cases() {
        return Programs.selected(Programs.MULTI_THREADED).flatMap(p -> Methods.selected()
                .flatMap(m -> IntStream.rangeClosed(1, SingleThreadedProgramsIT.POINTS)
                        .mapToObj(i -> Arguments.of(p, m, i))));
    }

    static synchronized Differential.Outcome reference(Program program) throws Exception {
        Differential.Outcome ref = references.get(program.name());
        if (ref == null) {
            ref = Differential.reference(program, inputs, shared.resolve("ref-" + program.name()));
            System.out.printf("differential: %s reference run %d ms%n", program, ref.millis());
            references.put(program.name(), ref);
        }
        return ref;
    }

    @ParameterizedTest(name = "{0} by {1}, point {2}: refused (known failure)")
    @MethodSource("cases")
    void refusedAsMultiThreaded(Program program, CheckpointMethod method, int point) throws Exception {
        Differential.Outcome ref = reference(program);
        double fraction = Differential.fraction(program.name(), method.name(), point);
        long moment = Math.round(fraction * ref.millis());
        Differential.Restarted r = Differential.checkpointAndRestart(program, inputs, method, dir, moment, 60);
        String image = r.restartArgs().get(r.restartArgs().size() - 1);
        String what = String.format("%s by %s, point %d (seed %d): checkpoint at %d ms (%.2f of the %d ms reference)%s",
                program, method.name(), point, Differential.SEED, r.momentMs(), fraction, ref.millis(),
                r.notes().isEmpty() ? "" : ", earlier because the program " + String.join(", then ", r.notes()));
        System.out.printf("differential: %s; restart exit %d: %s", what, r.restartExit(), r.restartStderr());
        assertThat(r.restartStderr()).as("%s: what restart said", what)
                .matches("restart: " + java.util.regex.Pattern.quote(image)
                        + ": the process had ([2-9]|[1-9][0-9]+) threads; multi-threaded restore is not supported yet\n");
        assertThat(r.restartExit()).as("%s: exit status of restart (bad input)", what).isEqualTo(2);
        assertThat(Files.size(r.outcome().stdout())).as("%s: nothing ran after the refusal", what)
                .isEqualTo(r.stdoutBeforeRestart());
    }
}
