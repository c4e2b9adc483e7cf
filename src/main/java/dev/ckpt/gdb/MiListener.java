package dev.ckpt.gdb;

import dev.ckpt.mi.MiOobRecord;
import dev.ckpt.mi.MiParseException;

/**
 * Receives what gdb prints besides command results. Called on the session's reader
 * thread, in the order gdb printed things; implementations must be quick and must
 * not call back into the session.
 */
public interface MiListener {
    /** An async record ({@code *stopped}, {@code =thread-group-started}, ...) or stream text. */
    default void onRecord(MiOobRecord record) {}

    /** A line on gdb's stdout that is not MI. */
    default void onUnparsed(String line, MiParseException problem) {}

    /** A line gdb wrote on its stderr. */
    default void onStderr(String line) {}
}
