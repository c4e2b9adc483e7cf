package dev.ckpt.suite;

import dev.ckpt.cli.Signals;

/**
 * How a case must end: an exit status, or death by a signal. Written in a scenario
 * file as a number ({@code exit: 0}) or a signal name ({@code exit: SIGSEGV}).
 */
public record Expectation(int code, int signal) {

    /** The default: exit status 0. */
    public static final Expectation SUCCESS = new Expectation(0, 0);

    /** Parses a number 0..255 or a signal name; throws IllegalArgumentException with the reason. */
    public static Expectation parse(String text) {
        String t = text.trim();
        if (t.matches("\\d{1,3}")) {
            int code = Integer.parseInt(t);
            if (code > 255) {
                throw new IllegalArgumentException("exit: " + code + " is not an exit status (0..255)");
            }
            return new Expectation(code, 0);
        }
        int sig = Signals.number(t);
        if (sig <= 0) {
            throw new IllegalArgumentException("exit: '" + t + "' is neither an exit status (0..255) nor a signal name "
                    + "(like SIGSEGV)");
        }
        return new Expectation(-1, sig);
    }

    /** How a process ended: {@code code} >= 0 for an exit, else killed by {@code signal}. */
    public static Expectation exited(int code) {
        return new Expectation(code, 0);
    }

    public static Expectation killed(int signal) {
        return new Expectation(-1, signal);
    }

    @Override
    public String toString() {
        return signal > 0 ? "killed by " + Signals.name(signal) : "exit status " + code;
    }
}
