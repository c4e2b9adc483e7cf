package dev.ckpt.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The broken-core corpus: copies of a real core truncated at every structure boundary,
 * made foreign (class, byte order, machine, type), with absurd counts and sizes, offsets
 * past the end and note sizes that overflow 32- and 64-bit arithmetic. Every case must be
 * refused by every reader (Java and native) with one line and exit status 2.
 */
public final class BrokenCores {
    private BrokenCores() {}

    /**
     * One broken core: a name for the test report, its bytes, and a regular expression
     * the Java reader's message (in lower case) must contain.
     */
    public record Case(String name, byte[] bytes, String expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static byte[] put32(byte[] b, long off, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt((int) off, (int) v);
        return c;
    }

    private static byte[] put64(byte[] b, long off, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong((int) off, v);
        return c;
    }

    private static byte[] put16(byte[] b, long off, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort((int) off, (short) v);
        return c;
    }

    private static byte[] put8(byte[] b, long off, int v) {
        byte[] c = b.clone();
        c[(int) off] = (byte) v;
        return c;
    }

    /** File offset of a note's header. */
    static long headerOf(Note n) {
        int namesz = n.owner().length() + 1;
        return n.descOffset() - ((namesz + 3) & ~3) - 12;
    }

    /** The cases made from {@code core}; {@code tag} prefixes their names. */
    public static List<Case> of(Path core, String tag) throws IOException {
        byte[] b = Files.readAllBytes(core);
        CoreFile c = CoreFile.open(core);
        long size = b.length;
        long phoff = c.header().phoff();
        long phnum = c.header().phnum();
        List<Case> l = new ArrayList<>();

        // truncated inside every structure
        l.add(new Case(tag + " empty", new byte[0], "not an elf file"));
        l.add(new Case(tag + " cut in the magic", Arrays.copyOf(b, 3), "not an elf file"));
        for (int at : new int[] {16, 40, 63}) {
            l.add(new Case(tag + " cut in the ELF header at " + at, Arrays.copyOf(b, at), "truncated"));
        }
        for (long k : new long[] {0, phnum / 2, phnum - 1}) {
            long at = phoff + 56 * k + 28;
            l.add(new Case(tag + " cut in program header " + k, Arrays.copyOf(b, (int) at), "program header table"));
        }
        for (int i = 0; i < c.notes().size(); i++) {
            Note n = c.notes().get(i);
            String what = tag + " note " + i + " (" + n.owner() + " " + Note.typeName(n.owner(), n.type()) + ")";
            long h = headerOf(n);
            l.add(new Case(what + " cut in its header", Arrays.copyOf(b, (int) h + 6), "past the end"));
            l.add(new Case(what + " cut in its name", Arrays.copyOf(b, (int) h + 14), "past the end"));
            if (n.size() > 1) {
                l.add(new Case(what + " cut in its descriptor", Arrays.copyOf(b, (int) (n.descOffset() + n.size() / 2)),
                        "past the end"));
            }
        }
        Segment lastLoad = null;
        Segment firstLoad = null;
        Segment secondLoad = null;
        Segment note = null;
        for (Segment s : c.segments()) {
            if (s.type() == Segment.PT_LOAD && s.filesz() > 0) {
                if (firstLoad == null) {
                    firstLoad = s;
                } else if (secondLoad == null) {
                    secondLoad = s;
                }
                if (lastLoad == null || s.offset() > lastLoad.offset()) {
                    lastLoad = s;
                }
            }
            if (s.type() == Segment.PT_NOTE && note == null) {
                note = s;
            }
        }
        l.add(new Case(tag + " cut in the last segment", Arrays.copyOf(b, (int) (lastLoad.offset() + lastLoad.filesz() / 2)),
                "past the end of the file"));
        long end = 0;
        for (Segment s : c.segments()) {
            if (s.type() == Segment.PT_LOAD || s.type() == Segment.PT_NOTE) {
                end = Math.max(end, s.offset() + s.filesz());
            }
        }
        l.add(new Case(tag + " last byte of the last segment missing", Arrays.copyOf(b, (int) end - 1), "past the end"));

        // foreign or not a core
        l.add(new Case(tag + " bad magic", put8(b, 1, 'X'), "not an elf file"));
        l.add(new Case(tag + " 32-bit class", put8(b, 4, 1), "32-bit"));
        l.add(new Case(tag + " big-endian", put8(b, 5, 2), "big-endian"));
        l.add(new Case(tag + " ELF version 0", put8(b, 6, 0), "version"));
        l.add(new Case(tag + " machine aarch64", put16(b, 18, 183), "aarch64"));
        l.add(new Case(tag + " machine i386", put16(b, 18, 3), "i386"));
        l.add(new Case(tag + " type ET_EXEC", put16(b, 16, 2), "not a core"));
        l.add(new Case(tag + " type ET_DYN", put16(b, 16, 3), "not a core"));

        // absurd counts, sizes and offsets in the ELF header
        l.add(new Case(tag + " e_phnum 0", put16(b, 56, 0), "no program headers"));
        l.add(new Case(tag + " e_phnum 0xfffe", put16(b, 56, 0xfffe), "program header table"));
        l.add(new Case(tag + " e_phnum PN_XNUM, no section header", put64(put16(b, 56, 0xffff), 40, size + 4096),
                "pn_xnum|section header"));
        l.add(new Case(tag + " e_phentsize 0", put16(b, 54, 0), "e_phentsize"));
        l.add(new Case(tag + " e_phentsize 32", put16(b, 54, 32), "e_phentsize"));
        l.add(new Case(tag + " e_phentsize 0xffff", put16(b, 54, 0xffff), "e_phentsize"));
        l.add(new Case(tag + " e_phoff at the end", put64(b, 32, size), "program header table"));
        l.add(new Case(tag + " e_phoff -1", put64(b, 32, -1L), "program header table"));
        l.add(new Case(tag + " e_phoff 2^63", put64(b, 32, Long.MIN_VALUE), "program header table"));
        l.add(new Case(tag + " e_phoff near 2^64 (sum wraps)", put64(b, 32, -56L), "program header table"));

        // segments
        long np = phoff + 56L * note.index();
        l.add(new Case(tag + " PT_NOTE offset past the end", put64(b, np + 8, size + 4096), "past the end"));
        l.add(new Case(tag + " PT_NOTE offset -1", put64(b, np + 8, -1L), "past the end"));
        l.add(new Case(tag + " PT_NOTE size 2^63", put64(b, np + 32, Long.MIN_VALUE), "past the end"));
        l.add(new Case(tag + " PT_NOTE size to 2^64", put64(b, np + 32, -note.offset()), "past the end"));
        l.add(new Case(tag + " PT_NOTE size one byte more than the file", put64(b, np + 32, size - note.offset() + 1),
                "past the end"));
        long lp = phoff + 56L * firstLoad.index();
        l.add(new Case(tag + " PT_LOAD offset past the end", put64(b, lp + 8, size), "past the end"));
        l.add(new Case(tag + " PT_LOAD offset -1", put64(b, lp + 8, -1L), "past the end"));
        l.add(new Case(tag + " PT_LOAD offset+size wraps", put64(b, lp + 8, -firstLoad.filesz() + 1), "past the end"));
        l.add(new Case(tag + " PT_LOAD filesz 2^63", put64(b, lp + 32, Long.MIN_VALUE), "past the end"));
        l.add(new Case(tag + " PT_LOAD filesz > memsz", put64(b, lp + 40, firstLoad.filesz() - 1), "p_filesz"));
        l.add(new Case(tag + " PT_LOAD wraps the address space", put64(put64(b, lp + 16, -4096L), lp + 40,
                Math.max(firstLoad.memsz(), 8192)), "wraps"));
        l.add(new Case(tag + " PT_LOADs overlap", put64(b, phoff + 56L * secondLoad.index() + 16, firstLoad.vaddr()),
                "overlap"));

        // notes: sizes that overflow, names without terminator, missing and malformed notes
        Note first = c.notes().get(0);
        long fh = headerOf(first);
        l.add(new Case(tag + " namesz 0xffffffff", put32(b, fh, 0xffffffffL), "past the end"));
        l.add(new Case(tag + " namesz 0xfffffffd (padding wraps 32 bits)", put32(b, fh, 0xfffffffdL), "past the end"));
        l.add(new Case(tag + " descsz 0xffffffff", put32(b, fh + 4, 0xffffffffL), "past the end"));
        l.add(new Case(tag + " descsz 0xfffffffd (padding wraps 32 bits)", put32(b, fh + 4, 0xfffffffdL),
                "past the end"));
        l.add(new Case(tag + " descsz 0x7ffffffd", put32(b, fh + 4, 0x7ffffffdL), "past the end"));
        l.add(new Case(tag + " note name without NUL", put8(b, fh + 12 + first.owner().length(), 'X'), "nul-terminated"));
        Note last = c.notes().get(c.notes().size() - 1);
        l.add(new Case(tag + " last note's descsz one too many", put32(b, headerOf(last) + 4, last.size() + 4),
                "past the end"));
        for (Note n : c.notes()) {
            if (n.owner().equals("CORE") && n.type() == Note.NT_PRSTATUS) {
                l.add(new Case(tag + " NT_PRSTATUS renamed (no thread)", put32(b, headerOf(n) + 8, 0x7777),
                        "nt_prstatus"));
                // a shorter descriptor, the rest of the note kept as padding-free garbage: the size is wrong
                l.add(new Case(tag + " NT_PRSTATUS of 200 bytes", put32(b, headerOf(n) + 4, 200), "nt_prstatus|past the end|nul-terminated|nt_"));
                break;
            }
        }
        for (Note n : c.notes()) {
            if (n.owner().equals("CORE") && n.type() == Note.NT_FILE) {
                long d = n.descOffset();
                l.add(new Case(tag + " NT_FILE count 2^60", put64(b, d, 1L << 60), "nt_file"));
                l.add(new Case(tag + " NT_FILE count 2^64-1", put64(b, d, -1L), "nt_file"));
                long count = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong((int) d);
                long room = (n.size() - 16) / 24;
                l.add(new Case(tag + " NT_FILE count one past its room", put64(b, d, room + 1), "nt_file"));
                l.add(new Case(tag + " NT_FILE page size 0", put64(b, d + 8, 0), "nt_file"));
                l.add(new Case(tag + " NT_FILE last name without NUL", put8(b, d + n.size() - 1, 'x'), "nt_file"));
                l.add(new Case(tag + " NT_FILE entry ends before it starts",
                        put64(b, d + 16 + 8, 0x1000), "nt_file"));
                if (count < 2) {
                    throw new IllegalStateException("core without mapped files");
                }
                break;
            }
        }
        return l;
    }
}
