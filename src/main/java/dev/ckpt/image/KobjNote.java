package dev.ckpt.image;

import dev.ckpt.core.Bytes;
import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.Note;
import java.util.ArrayList;
import java.util.List;

/**
 * One record of {@code CKPT_NT_KOBJ} ({@code struct ckpt_kobj} of native/include/ckpt_image.h):
 * a kernel object behind descriptors (pipe, eventfd, signalfd, timerfd) that the writer
 * recorded whole and the engine makes again (native/restore/kobj.c); also epoll, AF_UNIX socket pairs, memfds, files deleted while open and the process's own pidfds.
 *
 * @param fd the lowest descriptor of it
 * @param type {@link #PIPE}, {@link #EVENTFD}, {@link #SIGNALFD}, {@link #TIMERFD}, {@link #EPOLL}, {@link #SOCKPAIR}, {@link #FILE} or {@link #PIDFD}
 * @param ino the inode number (a pipe's); 0 where it has none
 * @param arg the three type-dependent values
 * @param flags type-dependent flags
 * @param dataLength bytes of data (a pipe's unread bytes) after the record
 */
public record KobjNote(int fd, long type, long ino, List<Long> arg, long flags, long dataLength) {
    /** sizeof(struct ckpt_kobj) */
    public static final int SIZE = 48;
    public static final int PIPE = 1;
    public static final int EVENTFD = 2;
    public static final int SIGNALFD = 3;
    public static final int TIMERFD = 4;
    public static final int EPOLL = 5;
    public static final int SOCKPAIR = 6;
    public static final int FILE = 7;
    public static final int PIDFD = 8;
    public static final int FILE_MEMFD = 1;
    public static final int FILE_SAME = 2;
    /** sizeof(struct ckpt_epoll_item): an EPOLL record's data is a sequence of them */
    public static final int EPOLL_ITEM_SIZE = 16;
    public static final int EFD_SEMAPHORE = 1;
    public static final int PIPE_FIFO = 1;

    public KobjNote {
        arg = List.copyOf(arg);
    }

    /** The records of the KOBJ note of {@code core}; empty without one. */
    public static List<KobjNote> of(CoreFile core) throws CoreFormatException {
        for (Note n : core.notes(CkptImage.OWNER)) {
            if (n.type() == CkptImage.NT_KOBJ) {
                return parse(n);
            }
        }
        return List.of();
    }

    static List<KobjNote> parse(Note n) throws CoreFormatException {
        Bytes b = n.desc();
        List<KobjNote> out = new ArrayList<>();
        long pos = 0;
        while (pos < b.size()) {
            if (b.size() - pos < SIZE) {
                throw new CoreFormatException(b.file(), "CKPT_NT_KOBJ: record at byte " + pos + " runs past the note");
            }
            long len = b.u32(pos + 44);
            long padded = (len + 7) & ~7L;
            if (padded > b.size() - pos - SIZE) {
                throw new CoreFormatException(b.file(), "CKPT_NT_KOBJ: data of the record at byte " + pos
                        + " runs past the note");
            }
            KobjNote k = new KobjNote(b.s32(pos), b.u32(pos + 4), b.u64(pos + 8),
                    List.of(b.u64(pos + 16), b.u64(pos + 24), b.u64(pos + 32)), b.u32(pos + 40), len);
            if (k.type < PIPE || k.type > PIDFD) {
                throw new CoreFormatException(b.file(), "CKPT_NT_KOBJ: record of fd " + k.fd + " has type " + k.type
                        + ", unknown here (a newer ckpt wrote it)");
            }
            out.add(k);
            pos += SIZE + padded;
        }
        return out;
    }
}
