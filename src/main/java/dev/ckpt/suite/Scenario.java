package dev.ckpt.suite;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One scenario file, loaded and checked: a program run under gdb to a checkpoint,
 * and the cases run from that checkpoint. Paths are absolute (relative ones in the
 * file are relative to the file's directory).
 *
 * @param input what the program reads on stdin until the checkpoint (null: nothing)
 * @param build a shell command run in the file's directory before the checkpoint, or null
 * @param checkpoint an existing image to use instead of taking one, or null
 */
public record Scenario(Path file, Path program, List<String> args, Map<String, String> env, String input,
                       String location, long cont, Duration timeout, String build, Path checkpoint, List<Case> cases) {

    public Scenario {
        args = List.copyOf(args);
        env = Map.copyOf(env);
        cases = List.copyOf(cases);
    }

    /** The file's name without .yaml/.yml: the test suite's name in reports. */
    public String name() {
        String n = file.getFileName().toString();
        return n.replaceFirst("\\.ya?ml$", "");
    }

    /**
     * One case. Null fields are not checked.
     *
     * @param stdin what the restarted process reads (null: the rest of the scenario's input after the checkpoint)
     * @param stdout the exact expected stdout (from {@code stdout} or {@code stdout-file})
     * @param timeout null: the scenario's
     */
    public record Case(String name, String stdin, String stdout, String stdoutMatches, String stderrMatches,
                       Expectation exit, Duration timeout, int repeat) {}
}
