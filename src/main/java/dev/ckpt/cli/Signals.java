package dev.ckpt.cli;

/** Linux x86-64 signal names. */
public final class Signals {
    private Signals() {}

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /** SIGSEGV for 11; SIGRTMIN+n for real-time signals. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig >= 34 && sig <= 64) {
            return "SIGRTMIN+" + (sig - 34);
        }
        return sig == 0 ? "none" : "signal " + sig;
    }

    /** The number of a signal name (SIGSEGV or SEGV, any case), or -1. */
    public static int number(String name) {
        String n = name.trim().toUpperCase(java.util.Locale.ROOT);
        if (!n.startsWith("SIG")) {
            n = "SIG" + n;
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(n)) {
                return i;
            }
        }
        if (n.startsWith("SIGRTMIN+")) {
            try {
                int k = Integer.parseInt(n.substring(9));
                return k >= 0 && k <= 30 ? 34 + k : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }
}
