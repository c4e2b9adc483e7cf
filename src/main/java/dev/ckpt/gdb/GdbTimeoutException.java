package dev.ckpt.gdb;

/** gdb did not answer in time. */
public final class GdbTimeoutException extends GdbException {
    private static final long serialVersionUID = 1L;

    public GdbTimeoutException(String message) {
        super(message);
    }
}
