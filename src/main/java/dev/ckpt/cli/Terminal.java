package dev.ckpt.cli;

import java.io.IOException;

/**
 * Running an interactive child (gdb) on our terminal: while it runs, a Ctrl-C typed
 * there is the child's business, so the JVM (in the same process group) ignores it
 * instead of ending, and waits for the child. (Ctrl-\ stays the JVM's: it prints a
 * thread dump and goes on.)
 */
final class Terminal {
    private Terminal() {}

    @SuppressWarnings("removal")
    static int runInForeground(ProcessBuilder pb) throws IOException, InterruptedException {
        sun.misc.Signal intr = new sun.misc.Signal("INT");
        sun.misc.SignalHandler ignore = s -> { };
        sun.misc.SignalHandler oldInt = sun.misc.Signal.handle(intr, ignore);
        try {
            Process p = pb.start();
            return p.waitFor();
        } finally {
            sun.misc.Signal.handle(intr, oldInt);
        }
    }
}
