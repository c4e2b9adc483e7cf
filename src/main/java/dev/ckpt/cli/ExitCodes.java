package dev.ckpt.cli;

/** Exit statuses of the ckpt commands. Only {@link Main#main} calls System.exit. */
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
}
