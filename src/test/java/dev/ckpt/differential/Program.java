package dev.ckpt.differential;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A program from a Debian package, run by the differential suite: its name, how
 * to make its command line (and any files it needs in its working directory),
 * the methods whose images restart must refuse (known failures: method name to
 * the regular expression of restart's one-line message after "IMAGE: "), the
 * methods it is left out of, with the reason, and options its restart needs
 * (e.g. {@code -p}: a program that checks its own pid).
 */
record Program(String name, Command command, Map<String, String> refusedBy, Map<String, String> leftOutBy,
               List<String> restartOptions) {

    interface Command {
        /** The command line, run in WORK; may copy inputs into WORK first. */
        List<String> make(Inputs inputs, Path work) throws IOException;
    }

    Program(String name, Command command) {
        this(name, command, Map.of(), Map.of(), List.of());
    }

    /** This program, restarted with OPTIONS before the image ({@code restart -n -w OPTIONS... IMAGE}). */
    Program restartedWith(String... options) {
        List<String> l = new ArrayList<>(restartOptions);
        l.addAll(List.of(options));
        return new Program(name, command, refusedBy, leftOutBy, List.copyOf(l));
    }

    /** This program, with images by METHOD refused with a message matching WHY. */
    Program refusedBy(String method, String why) {
        Map<String, String> m = new HashMap<>(refusedBy);
        m.put(method, why);
        return new Program(name, command, Map.copyOf(m), leftOutBy, restartOptions);
    }

    /**
     * This program, not run by METHOD for a reason (a bug found and reported, whose
     * failures are intermittent, so neither a pass nor an exact refusal can be
     * asserted). The suite prints every combination left out and why.
     */
    Program leftOutBy(String method, String why) {
        Map<String, String> m = new HashMap<>(leftOutBy);
        m.put(method, why);
        return new Program(name, command, refusedBy, Map.copyOf(m), restartOptions);
    }

    List<String> command(Inputs inputs, Path work) throws IOException {
        return command.make(inputs, work);
    }

    @Override
    public String toString() {
        return name;
    }
}
