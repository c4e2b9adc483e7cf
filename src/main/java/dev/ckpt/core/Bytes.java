package dev.ckpt.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Bounds-checked little-endian reads from a buffer (a note's descriptor, a header).
 * Every read names what it was reading when it does not fit, so the caller's error
 * message says which structure is short.
 */
public final class Bytes {
    private final Path file;
    private final ByteBuffer buf;
    private final String what;

    /** {@code buf} from its position to its limit; {@code what} names it in errors. */
    public Bytes(Path file, ByteBuffer buf, String what) {
        this.file = file;
        this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    public int size() {
        return buf.limit();
    }

    public Path file() {
        return file;
    }

    private void check(long off, long len) throws CoreFormatException {
        if (off < 0 || len < 0 || off > buf.limit() || len > buf.limit() - off) {
            throw new CoreFormatException(file, what + " too short: need " + len + " bytes at offset "
                    + off + ", have " + buf.limit());
        }
    }

    public int u8(long off) throws CoreFormatException {
        check(off, 1);
        return buf.get((int) off) & 0xff;
    }

    public int u16(long off) throws CoreFormatException {
        check(off, 2);
        return buf.getShort((int) off) & 0xffff;
    }

    public int s16(long off) throws CoreFormatException {
        check(off, 2);
        return buf.getShort((int) off);
    }

    public int s32(long off) throws CoreFormatException {
        check(off, 4);
        return buf.getInt((int) off);
    }

    /** An unsigned 32-bit value, in a long. */
    public long u32(long off) throws CoreFormatException {
        check(off, 4);
        return buf.getInt((int) off) & 0xffffffffL;
    }

    /** A 64-bit value (unsigned ones come back as their two's-complement long). */
    public long u64(long off) throws CoreFormatException {
        check(off, 8);
        return buf.getLong((int) off);
    }

    /** A copy of {@code len} bytes. */
    public byte[] bytes(long off, int len) throws CoreFormatException {
        check(off, len);
        byte[] b = new byte[len];
        buf.get((int) off, b);
        return b;
    }

    /** A read-only view of {@code len} bytes, without copying. */
    public Bytes sub(long off, long len, String subWhat) throws CoreFormatException {
        check(off, len);
        ByteBuffer d = buf.duplicate();
        d.position((int) off).limit((int) (off + len));
        return new Bytes(file, d.slice(), subWhat);
    }

    /**
     * A NUL-terminated string inside the field {@code [off, off+max)}: refuses a field
     * without its terminator.
     */
    public String cString(long off, int max, String field) throws CoreFormatException {
        check(off, max);
        for (int i = 0; i < max; i++) {
            if (buf.get((int) off + i) == 0) {
                return new String(bytes(off, i), StandardCharsets.UTF_8);
            }
        }
        throw new CoreFormatException(file, field + " is not NUL-terminated");
    }

    /**
     * A fixed-size character field that may fill it completely (like prpsinfo's
     * pr_fname): the text up to the first NUL or the end of the field.
     */
    public String fixedString(long off, int len) throws CoreFormatException {
        check(off, len);
        int n = 0;
        while (n < len && buf.get((int) off + n) != 0) {
            n++;
        }
        return new String(bytes(off, n), StandardCharsets.UTF_8);
    }

    /** Index of the first NUL at or after {@code off}, or -1. */
    public int indexOfNul(int off) {
        for (int i = Math.max(off, 0); i < buf.limit(); i++) {
            if (buf.get(i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** A read-only duplicate of the underlying bytes. */
    public ByteBuffer buffer() {
        return buf.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
