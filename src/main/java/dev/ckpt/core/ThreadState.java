package dev.ckpt.core;

/**
 * One thread of the core: its NT_PRSTATUS and which FPU notes follow it (an
 * NT_FPREGSET of 512 bytes, an NT_X86_XSTATE of {@code xstateSize} bytes, 0 when none).
 * {@code xcr0} is the feature mask Linux writes into the XSAVE area's software-reserved
 * bytes (offset 464), {@code xstateBv} the XSTATE_BV header word (offset 512); both 0
 * without an NT_X86_XSTATE note.
 */
public record ThreadState(PrStatus status, boolean hasFpregset, int xstateSize, long xcr0, long xstateBv) {
    public int tid() {
        return status.pid();
    }

    public Registers regs() {
        return status.regs();
    }
}
