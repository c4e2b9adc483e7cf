package dev.ckpt.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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
 * The differential suite: every program, checkpointed by every method at 3
 * random moments of its run, restarts and finishes with stdout, stderr and
 * every file it writes identical, byte for byte, to an uninterrupted run's.
 * Known failures (a method whose images of a program restart must refuse) are
 * asserted as exactly that refusal, so they fail loudly when that changes.
 * The seed of the moments is printed; {@code -Dckpt.seed=N} replays it.
 * See docs/DIFFERENTIAL.md.
 */
@Tag("differential")
class ProgramsIT {

    static final int POINTS = 3;

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
        Programs.selected(Programs.ALL).forEach(p -> p.leftOutBy().forEach((m, why) ->
                System.out.println("differential: LEFT OUT: " + p + " by " + m + ": " + why)));
    }

    @AfterEach
    void noneLeft() throws Exception {
        Differential.killAll();
    }

    static Stream<Arguments> cases() {
        return Programs.selected(Programs.ALL).flatMap(p -> Methods.selected()
                .filter(m -> !p.leftOutBy().containsKey(m.getPayload().name()))
                .flatMap(m -> IntStream.rangeClosed(1, POINTS).mapToObj(i -> Arguments.of(p, m, i))));
    }

    static synchronized Differential.Outcome reference(Program program) throws Exception {
        Differential.Outcome ref = references.get(program.name());
        if (ref == null) {
            ref = Differential.reference(program, inputs, shared.resolve("ref-" + program.name()));
            assertThat(Differential.bytesWritten(ref)).as("%s writes something to compare", program).isPositive();
            // A second run shows that the program is deterministic (a difference later is the
            // restart's), and times it with warm caches: the moments are fractions of that time.
            Differential.Outcome again = Differential.reference(program, inputs, shared.resolve("ref2-" + program.name()));
            assertThat(Differential.differences(ref, again)).as("%s: two uninterrupted runs differ", program).isEmpty();
            if (again.millis() < ref.millis()) {
                ref = new Differential.Outcome(ref.dir(), again.millis(), ref.exit());
            }
            System.out.printf("differential: %s reference run %d ms, %d bytes written%n", program, ref.millis(),
                    Differential.bytesWritten(ref));
            references.put(program.name(), ref);
        }
        return ref;
    }

    @ParameterizedTest(name = "{0} by {1}, point {2}")
    @MethodSource("cases")
    void restartsByteIdentical(Program program, CheckpointMethod method, int point) throws Exception {
        Differential.Outcome ref = reference(program);
        double fraction = Differential.fraction(program.name(), method.name(), point);
        // never below the shortest moment a checkpoint can hit: a fast reference run (tar in 200 ms)
        // would otherwise draw a first moment under it now and then and fail for nothing
        long moment = Math.max(Differential.SHORTEST_MOMENT_MS, Math.round(fraction * ref.millis()));
        Differential.Restarted r = Differential.checkpointAndRestart(program, inputs, method, dir, moment,
                Math.max(60, ref.millis() / 100));
        String what = String.format("%s by %s, point %d (seed %d): checkpoint at %d ms (%.2f of the %d ms reference)%s",
                program, method.name(), point, Differential.SEED, r.momentMs(), fraction, ref.millis(),
                r.notes().isEmpty() ? "" : ", earlier because the program " + String.join(", then ", r.notes()));
        String refusal = program.refusedBy().get(method.name());
        if (refusal != null) {
            System.out.printf("differential: %s; restart exit %d (known failure): %s", what, r.restartExit(),
                    r.restartStderr());
            String image = r.restartArgs().get(r.restartArgs().size() - 1);
            assertThat(r.restartStderr()).as("%s: known failure: restart's message", what)
                    .matches("restart: " + Pattern.quote(image) + ": " + refusal + "\n");
            assertThat(r.restartExit()).as("%s: exit status of restart (bad input)", what).isEqualTo(2);
            assertThat(Files.size(r.outcome().stdout())).as("%s: nothing ran after the refusal", what)
                    .isEqualTo(r.stdoutBeforeRestart());
            return;
        }
        List<String> diffs = Differential.differences(ref, r.outcome());
        System.out.printf("differential: %s; checkpoint took %d ms, restart ran %d ms, exit %d: %s%n", what,
                r.checkpointMs(), r.outcome().millis(), r.restartExit(),
                diffs.isEmpty() && r.restartExit() == ref.exit() ? "identical" : "DIFFERENT " + diffs);
        if (!diffs.isEmpty() || r.restartExit() != ref.exit()) {
            Differential.keep(String.format("%s-%s-%d", program, method.name(), point), ref, dir);
        }
        assertThat(r.restartExit()).as("%s: exit status of restart -n -w; its stderr:%n%s", what, r.restartStderr())
                .isEqualTo(ref.exit());
        assertThat(diffs).as("%s: differences from the uninterrupted run", what).isEmpty();
    }
}
