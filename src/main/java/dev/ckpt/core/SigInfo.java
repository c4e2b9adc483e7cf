package dev.ckpt.core;

/**
 * NT_SIGINFO (a 128-byte siginfo_t): the signal that stopped or killed the process.
 * {@code addr} is si_addr for faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP);
 * {@code senderPid}/{@code senderUid} for signals sent by a process.
 */
public record SigInfo(int signo, int errno, int code, long addr, int senderPid, int senderUid) {
    public static final int SIZE = 128;

    static SigInfo read(Bytes b) throws CoreFormatException {
        if (b.size() != SIZE) {
            throw new CoreFormatException(b.file(), "NT_SIGINFO note has " + b.size() + " bytes, expected " + SIZE);
        }
        return new SigInfo(b.s32(0), b.s32(4), b.s32(8), b.u64(16), b.s32(16), b.s32(20));
    }

    /** Whether the signal came from a fault at an address rather than from a sender. */
    public boolean isFault() {
        return code > 0 && code != 0x80 && (signo == 4 || signo == 5 || signo == 7 || signo == 8 || signo == 11);
    }
}
