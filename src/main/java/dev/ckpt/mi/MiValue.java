package dev.ckpt.mi;

/**
 * A GDB/MI value: {@code value -> const | tuple | list}. {@code toString()} gives
 * the value in wire syntax.
 */
public sealed interface MiValue permits MiConst, MiTuple, MiList {
}
