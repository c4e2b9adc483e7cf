package dev.ckpt.core;

/**
 * NT_PRPSINFO (struct elf_prpsinfo, 136 bytes on x86-64): state, ids, the program
 * name (first 15 characters) and its arguments (first 79 characters, space-separated).
 */
public record PrPsInfo(char state, int nice, long flag, long uid, long gid, int pid, int ppid, int pgrp,
        int sid, String fname, String psargs) {
    public static final int SIZE = 136;

    static PrPsInfo read(Bytes b) throws CoreFormatException {
        if (b.size() != SIZE) {
            throw new CoreFormatException(b.file(), "NT_PRPSINFO note has " + b.size() + " bytes, expected " + SIZE);
        }
        int sname = b.u8(1);
        return new PrPsInfo(sname >= 0x20 && sname < 0x7f ? (char) sname : '?', (byte) b.u8(3), b.u64(8),
                b.u32(16), b.u32(20), b.s32(24), b.s32(28), b.s32(32), b.s32(36), b.fixedString(40, 16),
                b.fixedString(56, 80).strip());
    }
}
