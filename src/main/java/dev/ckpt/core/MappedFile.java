package dev.ckpt.core;

/**
 * One NT_FILE entry: a file-backed mapping {@code [start, end)} and the byte offset in
 * the file where it begins (the note stores it in pages; this is already multiplied).
 */
public record MappedFile(long start, long end, long fileOffset, String path) {
    public long size() {
        return end - start;
    }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
    }
}
