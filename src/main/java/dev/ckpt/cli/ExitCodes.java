package dev.ckpt.cli;

/**
 * Exit statuses of the ckpt commands (docs/EXIT-CODES.md). Only {@link Main#main} calls
 * System.exit.
 *
 * <p>Two families. The commands that pass on a program's exit status ({@code ckpt gdb},
 * {@code ckpt restart}, {@code ckpt debug}; they implement {@link PassesExitStatus}) keep
 * their own failures, once the input has been accepted, to 124-127, the convention of
 * timeout(1), env(1) and docker run: {@link #TIMED_OUT}, {@link #CKPT_FAILED},
 * {@link #CANNOT_RUN}, {@link #NOT_FOUND}. Bad input (a usage error, a refused file) is
 * {@link #BAD_INPUT} for every command: then nothing ran and stderr has one line saying so.
 * The other commands use the small numbers below.
 */
public final class ExitCodes {
    private ExitCodes() {}

    /** Everything worked (for commands that run a program: that program's status is passed on). */
    public static final int OK = 0;
    /** A checked condition does not hold (e.g. {@code ckpt verify} found problems). */
    public static final int PROBLEMS = 1;
    /** Bad input: a usage error, or a file that is malformed, foreign or mismatched. Nothing ran. */
    public static final int BAD_INPUT = 2;
    /** A required system tool (gdb, the native engine) is missing. */
    public static final int MISSING_TOOL = 3;
    /** gdb failed or died while working for us. */
    public static final int GDB_FAILED = 4;
    /** The program never reached the requested checkpoint (exited first, location not found). */
    public static final int NO_CHECKPOINT = 5;
    /** The checkpoint could not be written. */
    public static final int CHECKPOINT_FAILED = 6;
    /** The restore engine failed. */
    public static final int RESTORE_FAILED = 7;
    /** A bug in ckpt (an exception nobody expected); a line asks for a bug report. EX_SOFTWARE of sysexits.h. */
    public static final int INTERNAL_ERROR = 70;

    /** Pass-through commands: {@code --timeout} expired before the checkpoint was reached (as timeout(1)). */
    public static final int TIMED_OUT = 124;
    /** Pass-through commands: ckpt itself failed (gdb, checkpoint not reached or not written, a bug in ckpt). */
    public static final int CKPT_FAILED = 125;
    /** Pass-through commands: the program could not be restarted or run (the engine failed). */
    public static final int CANNOT_RUN = 126;
    /** Pass-through commands: something needed was not found (gdb, the engine, the program). */
    public static final int NOT_FOUND = 127;

    /** A command whose exit status is a program's: its own failures map to 124-127 by {@link #passThrough}. */
    public interface PassesExitStatus {}

    /** The status a pass-through command reports for one of ckpt's own failures. */
    public static int passThrough(int own) {
        return switch (own) {
            case OK, BAD_INPUT -> own;
            case MISSING_TOOL -> NOT_FOUND;
            case RESTORE_FAILED -> CANNOT_RUN;
            case TIMED_OUT, CKPT_FAILED, CANNOT_RUN, NOT_FOUND -> own;
            default -> CKPT_FAILED;
        };
    }
}
