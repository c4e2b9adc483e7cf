package dev.ckpt.image;

import dev.ckpt.core.Bytes;
import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.Note;
import java.util.Optional;

/**
 * {@code CKPT_NT_ORIGIN} ({@code struct ckpt_origin} of native/include/ckpt_image.h):
 * the breakpoint location and hit at which ckpt-gdb took the checkpoint.
 *
 * @param location the location as given to ckpt-gdb's --break
 * @param hit the 1-based hit of it that is the checkpoint
 */
public record OriginNote(String location, long hit) {
    /** sizeof(struct ckpt_origin) */
    static final int SIZE = CkptImage.ORIGIN_SIZE;

    /** The origin note of {@code core}, if it has one. */
    public static Optional<OriginNote> of(CoreFile core) throws CoreFormatException {
        for (Note n : core.notes(CkptImage.OWNER)) {
            if (n.type() == CkptImage.NT_ORIGIN) {
                return Optional.of(parse(n));
            }
        }
        return Optional.empty();
    }

    static OriginNote parse(Note n) throws CoreFormatException {
        Bytes b = n.desc();
        if (b.size() < SIZE) {
            throw new CoreFormatException(b.file(), "CKPT_NT_ORIGIN note of " + b.size() + " bytes, expected at least " + SIZE);
        }
        long hit = b.u64(0);
        long len = b.u32(8);
        if (len < 1 || len != b.size() - SIZE) {
            throw new CoreFormatException(b.file(), "CKPT_NT_ORIGIN: location of " + len + " bytes in a note of "
                    + b.size());
        }
        return new OriginNote(b.cString(SIZE, (int) len, "CKPT_NT_ORIGIN location"), hit);
    }
}
