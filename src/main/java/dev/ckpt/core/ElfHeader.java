package dev.ckpt.core;

/**
 * The fields of a 64-bit ELF header that a core reader uses. {@code phnum} is the real
 * count (taken from section header 0 when e_phnum is PN_XNUM).
 */
public record ElfHeader(int type, int machine, long phoff, int phentsize, long phnum, long shoff,
        int shentsize, int shnum) {
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int ET_CORE = 4;
    public static final int EM_X86_64 = 62;
    public static final int PN_XNUM = 0xffff;
    public static final int EHDR_SIZE = 64;
    public static final int PHDR_SIZE = 56;

    static String typeName(int type) {
        return switch (type) {
            case 0 -> "ET_NONE";
            case 1 -> "ET_REL (object file)";
            case ET_EXEC -> "ET_EXEC (executable)";
            case ET_DYN -> "ET_DYN (shared object or PIE)";
            case ET_CORE -> "ET_CORE";
            default -> "type " + type;
        };
    }

    static String machineName(int machine) {
        return switch (machine) {
            case 3 -> "i386";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "S/390";
            case 40 -> "ARM";
            case 62 -> "x86-64";
            case 183 -> "AArch64";
            case 243 -> "RISC-V";
            case 258 -> "LoongArch";
            default -> "machine " + machine;
        };
    }
}
