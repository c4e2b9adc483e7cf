package dev.ckpt.core;

/**
 * One ELF note: owner name, type, where its descriptor lies in the file, and a
 * read-only, bounds-checked view of the descriptor (the mapped file, not a copy).
 */
public record Note(String owner, int type, long descOffset, Bytes desc) {
    public static final int NT_PRSTATUS = 1;
    public static final int NT_FPREGSET = 2;
    public static final int NT_PRPSINFO = 3;
    public static final int NT_AUXV = 6;
    public static final int NT_X86_XSTATE = 0x202;
    public static final int NT_SIGINFO = 0x53494749;
    public static final int NT_FILE = 0x46494c45;

    public int size() {
        return desc.size();
    }

    /** A readable name of a note type under owners CORE/LINUX. */
    public static String typeName(String owner, int type) {
        if (owner.equals("CORE") || owner.equals("LINUX")) {
            return switch (type) {
                case NT_PRSTATUS -> "NT_PRSTATUS";
                case NT_FPREGSET -> "NT_FPREGSET";
                case NT_PRPSINFO -> "NT_PRPSINFO";
                case NT_AUXV -> "NT_AUXV";
                case NT_X86_XSTATE -> "NT_X86_XSTATE";
                case 0x205 -> "NT_X86_XSAVE_LAYOUT";
                case NT_SIGINFO -> "NT_SIGINFO";
                case NT_FILE -> "NT_FILE";
                default -> String.format("0x%x", type);
            };
        }
        if (owner.equals("GDB") && type == 0xff000000) {
            return "NT_GDB_TDESC";
        }
        return String.format("0x%x", type);
    }
}
