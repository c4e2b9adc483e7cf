package dev.ckpt.core;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one exception the core reader throws for a file that is not a usable core:
 * malformed, truncated, foreign (32-bit, big-endian, another machine) or not a core.
 * {@link #getMessage()} is one line, {@code FILE: problem}.
 */
public final class CoreFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public CoreFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /** The file that was read. */
    public Path file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    public String problem() {
        return problem;
    }
}
