package dev.ckpt.suite;

/** A scenario file that cannot be used; the message is one line: {@code FILE:LINE:COLUMN: problem}. */
public final class SuiteInputException extends Exception {
    private static final long serialVersionUID = 1L;

    public SuiteInputException(String message) {
        super(message);
    }
}
