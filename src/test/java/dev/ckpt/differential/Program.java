package dev.ckpt.differential;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A program from a Debian package, run by the differential suite: its name and
 * how to make its command line (and any files it needs in its working directory).
 */
record Program(String name, Command command) {

    interface Command {
        /** The command line, run in WORK; may copy inputs into WORK first. */
        List<String> make(Inputs inputs, Path work) throws IOException;
    }

    List<String> command(Inputs inputs, Path work) throws IOException {
        return command.make(inputs, work);
    }

    @Override
    public String toString() {
        return name;
    }
}
