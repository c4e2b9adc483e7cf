package dev.ckpt.gdb;

/** gdb ended (exited or was killed) while we were waiting for it. */
public final class GdbDiedException extends GdbException {
    private static final long serialVersionUID = 1L;

    public GdbDiedException(String message) {
        super(message);
    }
}
