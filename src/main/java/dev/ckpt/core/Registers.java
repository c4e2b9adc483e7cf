package dev.ckpt.core;

import java.util.List;

/**
 * The general registers of one thread, {@code struct user_regs_struct} in its order
 * (pr_reg of NT_PRSTATUS, 27 unsigned 64-bit values).
 */
public record Registers(List<Long> values) {
    public static final List<String> NAMES = List.of("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10",
            "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss",
            "fs_base", "gs_base", "ds", "es", "fs", "gs");
    public static final int SIZE = 27 * 8;

    public Registers {
        values = List.copyOf(values);
        if (values.size() != NAMES.size()) {
            throw new IllegalArgumentException("need " + NAMES.size() + " registers");
        }
    }

    /** The register by its user_regs_struct name, e.g. "rip" or "fs_base". */
    public long get(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no register " + name);
        }
        return values.get(i);
    }

    public long rip() {
        return get("rip");
    }

    public long rsp() {
        return get("rsp");
    }

    public long fsBase() {
        return get("fs_base");
    }

    static Registers read(Bytes b, long off) throws CoreFormatException {
        Long[] v = new Long[NAMES.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.u64(off + 8L * i);
        }
        return new Registers(List.of(v));
    }
}
