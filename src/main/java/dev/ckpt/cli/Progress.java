package dev.ckpt.cli;

import dev.ckpt.gdb.CheckpointException;
import dev.ckpt.gdb.ProgramStdio;
import java.io.PrintWriter;

/** Progress and error lines on stderr, each prefixed with the command's name. */
final class Progress {
    private final PrintWriter err;
    private final String prefix;

    Progress(PrintWriter err, String prefix) {
        this.err = err;
        this.prefix = prefix;
    }

    /** One progress line; when stderr is a file the program also appends to, write at its end. */
    synchronized void line(String message) {
        err.flush();
        ProgramStdio.seekToEnd(2);
        err.println(prefix + ": " + message);
        err.flush();
    }

    /** Writes the one-line error and returns {@code status}. */
    int fail(int status, String message) {
        line(message.replace('\n', ' '));
        return status;
    }

    static int exitCode(CheckpointException.Reason r) {
        return switch (r) {
            case BAD_INPUT -> ExitCodes.BAD_INPUT;
            case MISSING_TOOL -> ExitCodes.MISSING_TOOL;
            case GDB_FAILED -> ExitCodes.GDB_FAILED;
            case NO_CHECKPOINT -> ExitCodes.NO_CHECKPOINT;
            case CHECKPOINT_FAILED -> ExitCodes.CHECKPOINT_FAILED;
            case TIMED_OUT -> ExitCodes.TIMED_OUT;
        };
    }
}
