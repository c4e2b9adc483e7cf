package dev.ckpt.preload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Just enough of an ELF64 core reader for the tests to look at what
 * libsavefds.so wrote: program headers and notes. (The project's real reader is
 * dev.ckpt.core; this one stays independent of it on purpose, a second opinion.)
 */
final class CoreFile {
    record Segment(int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {}

    record Note(String owner, int type, ByteBuffer desc) {
        long u64(int at) {
            return desc.getLong(at);
        }

        int i32(int at) {
            return desc.getInt(at);
        }

        String cstring(int at) {
            int end = at;
            while (end < desc.limit() && desc.get(end) != 0) {
                end++;
            }
            byte[] b = new byte[end - at];
            desc.get(at, b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;

    final int elfType;
    final int machine;
    final List<Segment> segments = new ArrayList<>();
    final List<Note> notes = new ArrayList<>();

    CoreFile(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer eh = read(ch, 0, 64);
            if (eh.getInt(0) != 0x464c457f || eh.get(4) != 2 || eh.get(5) != 1) {
                throw new IOException(path + ": not a little-endian ELF64 file");
            }
            elfType = Short.toUnsignedInt(eh.getShort(16));
            machine = Short.toUnsignedInt(eh.getShort(18));
            long phoff = eh.getLong(32);
            int phentsize = Short.toUnsignedInt(eh.getShort(54));
            int phnum = Short.toUnsignedInt(eh.getShort(56));
            ByteBuffer ph = read(ch, phoff, phentsize * phnum);
            for (int i = 0; i < phnum; i++) {
                int b = i * phentsize;
                segments.add(new Segment(ph.getInt(b), ph.getInt(b + 4), ph.getLong(b + 8), ph.getLong(b + 16),
                        ph.getLong(b + 32), ph.getLong(b + 40), ph.getLong(b + 48)));
            }
            for (Segment s : segments) {
                if (s.type() != PT_NOTE) {
                    continue;
                }
                ByteBuffer n = read(ch, s.offset(), (int) s.filesz());
                int p = 0;
                while (p + 12 <= n.limit()) {
                    int namesz = n.getInt(p);
                    int descsz = n.getInt(p + 4);
                    int type = n.getInt(p + 8);
                    byte[] name = new byte[Math.max(0, namesz - 1)];
                    n.get(p + 12, name);
                    int descAt = p + 12 + align4(namesz);
                    ByteBuffer desc = n.slice(descAt, descsz).order(ByteOrder.LITTLE_ENDIAN);
                    notes.add(new Note(new String(name, StandardCharsets.US_ASCII), type, desc));
                    p = descAt + align4(descsz);
                }
            }
        }
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    private static ByteBuffer read(FileChannel ch, long at, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("core ends early");
            }
        }
        return b.flip();
    }

    Optional<Note> note(String owner, int type) {
        return notes.stream().filter(n -> n.owner().equals(owner) && n.type() == type).findFirst();
    }

    List<Segment> loads() {
        return segments.stream().filter(s -> s.type() == PT_LOAD).toList();
    }

    /** The interrupted rip from NT_PRSTATUS (pr_reg at 112, rip is register 16). */
    long prstatusRip() {
        return note("CORE", 1).orElseThrow().u64(112 + 16 * 8);
    }
}
