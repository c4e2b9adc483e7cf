package dev.ckpt.preload;

import dev.ckpt.testing.Child;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A self-checking feature program of native/tests, as the checkpoint tests run it: its
 * FEATURE_DIR, the function it is checkpointed in, and its arguments.
 *
 * @param env   FEATURE_DIR=DIR/feature (a directory apart from restart's: cwd and state chdir there)
 * @param where {@code checkpoint_point}, or the vector programs' own point
 * @param args  what gdb's {@code run} adds: "state" is given a directory DIR/feature/state
 */
record Feature(String name, Path program, Map<String, String> env, String where, String args) {
    /** NAME's program, its FEATURE_DIR made under DIR. */
    static Feature in(Path dir, String name) throws IOException {
        Path featureDir = Files.createDirectory(dir.resolve("feature"));
        String where = switch (name) {
            case "avx" -> "vector_point";
            case "avx512" -> "zmm_point";
            default -> "checkpoint_point";
        };
        String args = name.equals("state") ? " " + Files.createDirectory(featureDir.resolve("state")) : "";
        return new Feature(name, Child.nativeTest(name), Map.of("FEATURE_DIR", featureDir.toString()), where, args);
    }

    /**
     * gdb with OPTIONS and SETUP (-ex ... before the run) that runs the program to its point
     * (its output into before.out), deletes the breakpoint, queues SIGNAL and detaches.
     */
    List<String> gdbToPoint(List<String> options, List<String> setup, String signal) {
        List<String> cmd = new ArrayList<>(List.of("gdb", "-nx"));
        cmd.addAll(options);
        cmd.addAll(setup);
        cmd.addAll(List.of("-ex", "break " + where, "-ex", "run" + args + " > before.out 2>&1", "-ex", "delete",
                "-ex", "queue-signal " + signal, "-ex", "detach", program.toString()));
        return cmd;
    }
}
