package dev.ckpt.mi;

/**
 * One line of GDB/MI output other than the prompt: a result record or an
 * out-of-band record. {@code toString()} gives the line in wire syntax (without
 * the newline).
 */
public sealed interface MiRecord permits MiResultRecord, MiOobRecord {
}
