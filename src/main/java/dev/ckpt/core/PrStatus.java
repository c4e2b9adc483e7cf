package dev.ckpt.core;

/**
 * NT_PRSTATUS (struct elf_prstatus, 336 bytes on x86-64): the signal, the pending and
 * blocked masks, the ids, and the general registers at offset 112.
 */
public record PrStatus(int signo, int code, int errno, int cursig, long sigpend, long sighold, int pid,
        int ppid, int pgrp, int sid, Registers regs, int fpvalid) {
    public static final int SIZE = 336;
    public static final int REG_OFFSET = 112;

    static PrStatus read(Bytes b) throws CoreFormatException {
        // at least SIZE, as native/core/corefile.c: a larger note is read as far as known
        if (b.size() < SIZE) {
            throw new CoreFormatException(b.file(), "NT_PRSTATUS note has " + b.size() + " bytes, expected at least "
                    + SIZE);
        }
        return new PrStatus(b.s32(0), b.s32(4), b.s32(8), b.s16(12), b.u64(16), b.u64(24), b.s32(32),
                b.s32(36), b.s32(40), b.s32(44), Registers.read(b, REG_OFFSET), b.s32(328));
    }
}
