package dev.ckpt.image;

import dev.ckpt.core.TestCores;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes CKPT notes as native/include/ckpt_image.h lays them out, for tests (the real
 * writers are the gdb script and libsavefds.so).
 */
public final class CkptNotes {
    private CkptNotes() {}

    static ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static byte[] note(int type, byte[] desc) {
        return TestCores.note("CKPT", type, desc);
    }

    public static byte[] version(int version, int writer, int nthreads) {
        return note(CkptImage.NT_VERSION, buf(16).putInt(version).putInt(writer).putInt(nthreads).putInt(0).array());
    }

    /** A path NUL-terminated and padded with NULs to a multiple of 8. */
    static byte[] path(String p) {
        byte[] b = p.getBytes(StandardCharsets.UTF_8);
        int len = (b.length + 1 + 7) & ~7;
        byte[] out = new byte[len];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    public static byte[] fileRecord(int fd, int flags, long offset, int kind, int fdflags, int shareId, String p) {
        byte[] pb = path(p);
        return buf(32 + pb.length).putInt(fd).putInt(flags).putLong(offset).putInt(kind).putInt(fdflags)
                .putInt(shareId).putInt(pb.length).put(pb).array();
    }

    public static byte[] mapRecord(long start, long end, long offset, int prot, int flags, long dev, long inode,
            long size, long mtimeNs, String p) {
        byte[] pb = path(p);
        return buf(72 + pb.length).putLong(start).putLong(end).putLong(offset).putInt(prot).putInt(flags).putLong(dev)
                .putLong(inode).putLong(size).putLong(mtimeNs).putInt(pb.length).putInt(0).put(pb).array();
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = buf(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    public static byte[] u64(int type, long v) {
        return note(type, buf(8).putLong(v).array());
    }

    public static byte[] cwd(String dir) {
        byte[] b = (dir + "\0").getBytes(StandardCharsets.UTF_8);
        return note(CkptImage.NT_CWD, b);
    }

    public static byte[] rseq(long addr, int len, int sig) {
        return note(CkptImage.NT_RSEQ, buf(16).putLong(addr).putInt(len).putInt(sig).array());
    }

    /** Signal actions: {@code handlers[i]} for signal i+1, the rest SIG_DFL. */
    public static byte[] sigactions(long... handlers) {
        ByteBuffer b = buf(64 * 32);
        for (int i = 0; i < 64; i++) {
            long h = i < handlers.length ? handlers[i] : 0;
            b.putLong(h).putLong(h > 1 ? 0x04000000L : 0).putLong(h > 1 ? 0x401000L : 0).putLong(0);
        }
        return note(CkptImage.NT_SIGACTION, b.array());
    }

    public static byte[] mm(long... v) {
        ByteBuffer b = buf(88);
        for (int i = 0; i < 11; i++) {
            b.putLong(i < v.length ? v[i] : 0);
        }
        return note(CkptImage.NT_MM, b.array());
    }
}
