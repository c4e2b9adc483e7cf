package dev.ckpt.gdb;

import dev.ckpt.mi.MiCommand;
import java.util.Optional;

/** gdb answered a command with {@code ^error}; {@link #gdbMessage()} is gdb's {@code msg}. */
public final class GdbErrorException extends GdbException {
    private static final long serialVersionUID = 1L;
    private final transient MiCommand command;
    private final String gdbMessage;
    private final String code;

    public GdbErrorException(MiCommand command, String gdbMessage, String code) {
        super(gdbMessage.isEmpty() ? "gdb: " + command.operation() + " failed" : gdbMessage);
        this.command = command;
        this.gdbMessage = gdbMessage;
        this.code = code;
    }

    /** The command that failed. */
    public MiCommand command() {
        return command;
    }

    /** gdb's message, e.g. {@code No source file named nosuch.c.} */
    public String gdbMessage() {
        return gdbMessage;
    }

    /** gdb's error {@code code}, e.g. {@code undefined-command}, when it gave one. */
    public Optional<String> code() {
        return Optional.ofNullable(code);
    }
}
