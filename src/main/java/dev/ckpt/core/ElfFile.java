package dev.ckpt.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The PT_LOAD program headers of a 64-bit little-endian ELF executable or shared object
 * on disk (ET_EXEC or ET_DYN): what a core's mapped files say about protections and
 * the end of the executable's bss. Bounds-checked like {@link CoreFile}.
 */
public record ElfFile(Path path, int type, List<Segment> loads) {
    public ElfFile {
        loads = List.copyOf(loads);
    }

    /** Reads the program headers; a malformed or foreign file is a {@link CoreFormatException}. */
    public static ElfFile read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < ElfHeader.EHDR_SIZE) {
                throw new CoreFormatException(path, "not a 64-bit ELF file (" + size + " bytes)");
            }
            Bytes eh = read(path, ch, 0, ElfHeader.EHDR_SIZE, "ELF header");
            if (eh.u8(0) != 0x7f || eh.u8(1) != 'E' || eh.u8(2) != 'L' || eh.u8(3) != 'F' || eh.u8(4) != 2
                    || eh.u8(5) != 1) {
                throw new CoreFormatException(path, "not a 64-bit little-endian ELF file");
            }
            int type = eh.u16(16);
            if (type != ElfHeader.ET_EXEC && type != ElfHeader.ET_DYN) {
                throw new CoreFormatException(path, "not an executable or shared object (ELF "
                        + ElfHeader.typeName(type) + ")");
            }
            long phoff = eh.u64(32);
            int phentsize = eh.u16(54);
            int phnum = eh.u16(56);
            if (phentsize != ElfHeader.PHDR_SIZE || phnum == 0 || phnum == ElfHeader.PN_XNUM) {
                throw new CoreFormatException(path, "unsupported program header table (" + phnum + " x " + phentsize + ")");
            }
            long len = (long) phnum * ElfHeader.PHDR_SIZE;
            if (Long.compareUnsigned(phoff, size) > 0 || len > size - phoff) {
                throw new CoreFormatException(path, "program header table runs past the end of the file");
            }
            Bytes ph = read(path, ch, phoff, (int) len, "program header table");
            List<Segment> loads = new ArrayList<>();
            for (int i = 0; i < phnum; i++) {
                long o = (long) i * ElfHeader.PHDR_SIZE;
                if (ph.s32(o) == Segment.PT_LOAD) {
                    loads.add(new Segment(i, Segment.PT_LOAD, ph.s32(o + 4), ph.u64(o + 8), ph.u64(o + 16),
                            ph.u64(o + 32), ph.u64(o + 40), ph.u64(o + 48)));
                }
            }
            return new ElfFile(path, type, loads);
        }
    }

    private static Bytes read(Path path, FileChannel ch, long off, int len, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (ch.read(b, off + b.position()) < 0) {
                throw new CoreFormatException(path, what + " runs past the end of the file");
            }
        }
        b.flip();
        return new Bytes(path, b, what);
    }

    /** The PT_LOAD whose file pages hold {@code fileOffset} (page-rounded as mmap does). */
    public Segment loadForOffset(long fileOffset, long pageSize) {
        for (Segment s : loads) {
            long start = s.offset() & -pageSize;
            long end = s.offset() + Math.max(s.filesz(), 1);
            if (Long.compareUnsigned(fileOffset, start) >= 0 && Long.compareUnsigned(fileOffset, end) < 0) {
                return s;
            }
        }
        return null;
    }

    /** The highest {@code p_vaddr + p_memsz} over the PT_LOADs (the end of bss, before the load bias). */
    public long imageEnd() {
        long end = 0;
        for (Segment s : loads) {
            long e = s.vaddr() + s.memsz();
            if (Long.compareUnsigned(e, end) > 0) {
                end = e;
            }
        }
        return end;
    }

    /** The lowest PT_LOAD {@code p_vaddr} rounded down to a page. */
    public long imageStart(long pageSize) {
        long start = -1;
        for (Segment s : loads) {
            if (Long.compareUnsigned(s.vaddr(), start) < 0) {
                start = s.vaddr();
            }
        }
        return loads.isEmpty() ? 0 : start & -pageSize;
    }
}
