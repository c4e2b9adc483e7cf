package dev.ckpt.differential;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A program from a Debian package, run by the differential suite: its name, how
 * to make its command line (and any files it needs in its working directory),
 * and the methods whose images restart must refuse (known failures: method name
 * to the regular expression of restart's one-line message after "IMAGE: ").
 */
record Program(String name, Command command, Map<String, String> refusedBy) {

    interface Command {
        /** The command line, run in WORK; may copy inputs into WORK first. */
        List<String> make(Inputs inputs, Path work) throws IOException;
    }

    Program(String name, Command command) {
        this(name, command, Map.of());
    }

    /** This program, with images by METHOD refused with a message matching WHY. */
    Program refusedBy(String method, String why) {
        Map<String, String> m = new HashMap<>(refusedBy);
        m.put(method, why);
        return new Program(name, command, Map.copyOf(m));
    }

    List<String> command(Inputs inputs, Path work) throws IOException {
        return command.make(inputs, work);
    }

    @Override
    public String toString() {
        return name;
    }
}
