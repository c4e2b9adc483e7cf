package dev.ckpt.mi;

/** {@code out-of-band-record -> async-record | stream-record}. */
public sealed interface MiOobRecord extends MiRecord permits MiAsyncRecord, MiStreamRecord {
}
