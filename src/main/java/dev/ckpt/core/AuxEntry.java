package dev.ckpt.core;

/** One NT_AUXV entry (a_type, a_val). */
public record AuxEntry(long type, long value) {
    public static final long AT_NULL = 0;
    public static final long AT_PHDR = 3;
    public static final long AT_PAGESZ = 6;
    public static final long AT_BASE = 7;
    public static final long AT_ENTRY = 9;
    public static final long AT_EXECFN = 31;
    public static final long AT_SYSINFO_EHDR = 33;

    /** The conventional AT_ name, or the number. */
    public String name() {
        return switch ((int) type) {
            case 0 -> "AT_NULL";
            case 2 -> "AT_EXECFD";
            case 3 -> "AT_PHDR";
            case 4 -> "AT_PHENT";
            case 5 -> "AT_PHNUM";
            case 6 -> "AT_PAGESZ";
            case 7 -> "AT_BASE";
            case 8 -> "AT_FLAGS";
            case 9 -> "AT_ENTRY";
            case 11 -> "AT_UID";
            case 12 -> "AT_EUID";
            case 13 -> "AT_GID";
            case 14 -> "AT_EGID";
            case 15 -> "AT_PLATFORM";
            case 16 -> "AT_HWCAP";
            case 17 -> "AT_CLKTCK";
            case 23 -> "AT_SECURE";
            case 24 -> "AT_BASE_PLATFORM";
            case 25 -> "AT_RANDOM";
            case 26 -> "AT_HWCAP2";
            case 27 -> "AT_RSEQ_FEATURE_SIZE";
            case 28 -> "AT_RSEQ_ALIGN";
            case 31 -> "AT_EXECFN";
            case 33 -> "AT_SYSINFO_EHDR";
            case 51 -> "AT_MINSIGSTKSZ";
            default -> "AT_" + type;
        };
    }
}
