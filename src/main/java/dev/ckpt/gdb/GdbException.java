package dev.ckpt.gdb;

/** Something went wrong talking to gdb. Subclasses say what. */
public class GdbException extends Exception {
    private static final long serialVersionUID = 1L;

    public GdbException(String message) {
        super(message);
    }

    public GdbException(String message, Throwable cause) {
        super(message, cause);
    }
}
