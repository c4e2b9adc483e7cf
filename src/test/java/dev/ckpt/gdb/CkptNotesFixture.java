package dev.ckpt.gdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only decoder of the CKPT notes of a checkpoint image (layout:
 * native/include/ckpt_image.h). Independent of the main reader in dev.ckpt.core /
 * dev.ckpt.image on purpose: it checks what the gdb script writes against the header.
 */
final class CkptNotesFixture {
    static final int NT_VERSION = 1, NT_FILES = 2, NT_SIGACTION = 3, NT_SIGMASK = 4, NT_CWD = 5,
            NT_RSEQ = 6, NT_TIDADDR = 7, NT_MAPS = 8, NT_XSTATE = 9, NT_MM = 10,
            NT_ATTRS = 11, NT_THREAD_ATTRS = 12, NT_KOBJ = 17;

    /** One ELF note: owner name (without NUL), type, desc. */
    record Note(String owner, int type, byte[] desc) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(desc).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** struct ckpt_file with its path. */
    record FileRecord(int fd, int flags, long offset, int kind, int fdflags, int shareId, String path) {}

    /** struct ckpt_map with its path. */
    record MapRecord(long start, long end, long offset, int prot, int flags, long dev, long inode,
                     long size, long mtimeNs, String path) {}

    /** struct ckpt_sigaction. */
    record SigAction(long handler, long flags, long restorer, long mask) {}

    private CkptNotesFixture() {}

    /** Every note of every PT_NOTE segment, in file order. */
    static List<Note> readNotes(Path core) throws IOException {
        try (FileChannel ch = FileChannel.open(core, StandardOpenOption.READ)) {
            ByteBuffer ehdr = read(ch, 0, 64);
            if (ehdr.getInt(0) != 0x464c457f || ehdr.get(4) != 2 || ehdr.get(5) != 1) {
                throw new IOException(core + ": not a 64-bit little-endian ELF file");
            }
            long phoff = ehdr.getLong(32);
            int phentsize = Short.toUnsignedInt(ehdr.getShort(54));
            int phnum = Short.toUnsignedInt(ehdr.getShort(56));
            List<Note> notes = new ArrayList<>();
            for (int i = 0; i < phnum; i++) {
                ByteBuffer ph = read(ch, phoff + (long) i * phentsize, 56);
                if (ph.getInt(0) != 4) { // PT_NOTE
                    continue;
                }
                ByteBuffer seg = read(ch, ph.getLong(8), Math.toIntExact(ph.getLong(32)));
                int pos = 0;
                while (pos + 12 <= seg.limit()) {
                    int namesz = seg.getInt(pos), descsz = seg.getInt(pos + 4), type = seg.getInt(pos + 8);
                    byte[] name = new byte[Math.max(0, namesz - 1)];
                    seg.get(pos + 12, name);
                    int descPos = pos + 12 + align(namesz, 4);
                    byte[] desc = new byte[descsz];
                    seg.get(descPos, desc);
                    notes.add(new Note(new String(name, StandardCharsets.ISO_8859_1), type, desc));
                    pos = descPos + align(descsz, 4);
                }
            }
            return notes;
        }
    }

    /** The CKPT notes only. */
    static List<Note> ckptNotes(Path core) throws IOException {
        return readNotes(core).stream().filter(n -> n.owner().equals("CKPT")).toList();
    }

    static Note only(List<Note> notes, int type) {
        List<Note> found = notes.stream().filter(n -> n.type() == type).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one CKPT note of type " + type + ", found " + found.size());
        }
        return found.get(0);
    }

    static List<FileRecord> files(Note note) {
        ByteBuffer b = note.buffer();
        List<FileRecord> out = new ArrayList<>();
        while (b.remaining() > 0) {
            int fd = b.getInt(), flags = b.getInt();
            long offset = b.getLong();
            int kind = b.getInt(), fdflags = b.getInt(), share = b.getInt(), pathLen = b.getInt();
            out.add(new FileRecord(fd, flags, offset, kind, fdflags, share, path(b, pathLen)));
        }
        return out;
    }

    static List<MapRecord> maps(Note note) {
        ByteBuffer b = note.buffer();
        List<MapRecord> out = new ArrayList<>();
        while (b.remaining() > 0) {
            long start = b.getLong(), end = b.getLong(), offset = b.getLong();
            int prot = b.getInt(), flags = b.getInt();
            long dev = b.getLong(), inode = b.getLong(), size = b.getLong(), mtime = b.getLong();
            int pathLen = b.getInt();
            b.getInt(); // reserved
            out.add(new MapRecord(start, end, offset, prot, flags, dev, inode, size, mtime, path(b, pathLen)));
        }
        return out;
    }

    /** The 64 actions, index = signal - 1. */
    static List<SigAction> sigactions(Note note) {
        ByteBuffer b = note.buffer();
        List<SigAction> out = new ArrayList<>();
        while (b.remaining() >= 32) {
            out.add(new SigAction(b.getLong(), b.getLong(), b.getLong(), b.getLong()));
        }
        return out;
    }

    static String cString(Note note) {
        byte[] d = note.desc();
        int n = 0;
        while (n < d.length && d[n] != 0) {
            n++;
        }
        return new String(d, 0, n, StandardCharsets.UTF_8);
    }

    private static String path(ByteBuffer b, int pathLen) {
        if (pathLen < 8 || pathLen % 8 != 0 || pathLen > b.remaining()) {
            throw new AssertionError("bad path_len " + pathLen);
        }
        byte[] raw = new byte[pathLen];
        b.get(raw);
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        if (n == raw.length) {
            throw new AssertionError("path not NUL-terminated");
        }
        return new String(raw, 0, n, StandardCharsets.UTF_8);
    }

    private static int align(int n, int a) {
        return (n + a - 1) & -a;
    }

    private static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("truncated at " + (pos + b.position()));
            }
        }
        return b.flip();
    }
}
