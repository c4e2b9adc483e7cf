package dev.ckpt.core;

/**
 * One program header. Addresses and sizes are unsigned 64-bit values held in longs;
 * the reader has checked that {@code offset + filesz} lies inside the file for PT_LOAD
 * and PT_NOTE, that {@code filesz <= memsz} for PT_LOAD, and that {@code vaddr + memsz}
 * does not pass 2^64 (a segment ending exactly there has {@link #end()} 0).
 */
public record Segment(int index, int type, int flags, long offset, long vaddr, long filesz, long memsz,
        long align) {
    public static final int PT_NULL = 0;
    public static final int PT_LOAD = 1;
    public static final int PT_NOTE = 4;
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    /** End address (exclusive), modulo 2^64. */
    public long end() {
        return vaddr + memsz;
    }

    /** Whether {@code addr} lies in {@code [vaddr, vaddr + memsz)}, unsigned. */
    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, vaddr) >= 0 && Long.compareUnsigned(addr - vaddr, memsz) < 0;
    }

    /** "rwx" style permissions from p_flags. */
    public String perms() {
        return ((flags & PF_R) != 0 ? "r" : "-") + ((flags & PF_W) != 0 ? "w" : "-")
                + ((flags & PF_X) != 0 ? "x" : "-");
    }
}
