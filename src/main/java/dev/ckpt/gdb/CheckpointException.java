package dev.ckpt.gdb;

/** A checkpoint workflow failed; {@link #reason()} says which way (the CLI maps it to an exit status). */
public final class CheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the workflow stopped. */
    public enum Reason {
        /** Bad input: no such program or process, unusable stdin/stdout. Nothing ran. */
        BAD_INPUT,
        /** gdb, its Python support or gdb-scripts are missing. */
        MISSING_TOOL,
        /** gdb failed, died or did not answer. */
        GDB_FAILED,
        /** The program never reached the checkpoint: location not found, or it ended first. */
        NO_CHECKPOINT,
        /** ckpt-save could not write the image. */
        CHECKPOINT_FAILED,
        /** The checkpoint was not reached within the time given (--timeout). */
        TIMED_OUT
    }

    private final Reason reason;

    public CheckpointException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CheckpointException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
