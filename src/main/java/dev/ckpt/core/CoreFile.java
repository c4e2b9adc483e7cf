package dev.ckpt.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of a 64-bit little-endian x86-64 ELF core file.
 *
 * <p>{@link #open} maps the ELF header, the program header table and the PT_NOTE
 * segments (never the memory segments), checks every offset, size and count against the
 * file and against each other with overflow-safe arithmetic, walks the notes (4-byte
 * padding, NUL-terminated names) and decodes the standard ones. Anything malformed is a
 * {@link CoreFormatException} with a one-line problem; nothing a header field says can
 * make it allocate more than the file itself could hold.
 */
public final class CoreFile {
    /** Notes larger than this are refused (a core of thousands of threads needs a few MiB). */
    public static final long MAX_NOTE_SEGMENT = 256L << 20;
    /** More program headers than this are refused (vm.max_map_count defaults to 65530). */
    public static final long MAX_SEGMENTS = 4_000_000;
    /** More notes than this are refused. */
    public static final int MAX_NOTES = 1_000_000;

    private final Path path;
    private final long fileSize;
    private final ElfHeader header;
    private final List<Segment> segments;
    private final List<Note> notes;
    private final List<ThreadState> threads;
    private final PrPsInfo psinfo;
    private final SigInfo siginfo;
    private final List<AuxEntry> auxv;
    private final List<MappedFile> mappedFiles;
    private final long ntFilePageSize;
    private final byte[] memory; // the core when read with fromBytes, else null

    private CoreFile(Path path, long fileSize, ElfHeader header, List<Segment> segments, List<Note> notes,
            List<ThreadState> threads, PrPsInfo psinfo, SigInfo siginfo, List<AuxEntry> auxv,
            List<MappedFile> mappedFiles, long ntFilePageSize, byte[] memory) {
        this.path = path;
        this.fileSize = fileSize;
        this.header = header;
        this.segments = List.copyOf(segments);
        this.notes = List.copyOf(notes);
        this.threads = List.copyOf(threads);
        this.psinfo = psinfo;
        this.siginfo = siginfo;
        this.auxv = auxv == null ? null : List.copyOf(auxv);
        this.mappedFiles = mappedFiles == null ? null : List.copyOf(mappedFiles);
        this.ntFilePageSize = ntFilePageSize;
        this.memory = memory;
    }

    /**
     * Opens and checks a core. An unreadable file is a plain {@link IOException}
     * ({@link NoSuchFileException}, {@link AccessDeniedException}); everything about the
     * content is a {@link CoreFormatException}.
     */
    public static CoreFile open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            return parse(path, new Source(path, ch, null), size);
        } catch (ArithmeticException e) {
            // every sum is range-checked first; this is the last line of defence
            throw new CoreFormatException(path, "offsets or sizes overflow 64-bit arithmetic");
        }
    }

    /**
     * Reads a core held in memory ({@code name} only names it in messages): the same
     * checks as {@link #open}, for tests that try many variants of a core quickly.
     */
    public static CoreFile fromBytes(Path name, byte[] data) throws CoreFormatException {
        try {
            return parse(name, new Source(name, null, data), data.length);
        } catch (CoreFormatException e) {
            throw e;
        } catch (ArithmeticException e) {
            throw new CoreFormatException(name, "offsets or sizes overflow 64-bit arithmetic");
        } catch (IOException e) {
            throw new IllegalStateException("in-memory read failed", e);
        }
    }

    /** Where the bytes come from: a file channel (mapped) or an array. */
    private record Source(Path path, FileChannel ch, byte[] data) {
        Bytes map(long off, long len, String what) throws IOException {
            if (len > Integer.MAX_VALUE) {
                throw new CoreFormatException(path, what + " too large (" + len + " bytes)");
            }
            if (len == 0) {
                return new Bytes(path, ByteBuffer.allocate(0), what);
            }
            if (data != null) {
                return new Bytes(path, ByteBuffer.wrap(data, (int) off, (int) len).slice(), what);
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, off, len);
            return new Bytes(path, m, what);
        }

        /** Small structures are read, not mapped. */
        Bytes read(long off, int len, String what) throws IOException {
            if (data != null) {
                return map(off, len, what);
            }
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining()) {
                if (ch.read(b, off + b.position()) < 0) {
                    throw new CoreFormatException(path, "file shrank while reading " + what);
                }
            }
            b.flip();
            return new Bytes(path, b, what);
        }
    }

    private static CoreFormatException bad(Path p, String problem) {
        return new CoreFormatException(p, problem);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** {@code [off, off+len)} within {@code [0, size)}, with all three unsigned. */
    private static boolean fits(long off, long len, long size) {
        return Long.compareUnsigned(off, size) <= 0 && Long.compareUnsigned(len, size - off) <= 0;
    }

    private static CoreFile parse(Path path, Source ch, long size) throws IOException {
        if (size < 4) {
            throw bad(path, "not an ELF file (" + size + " bytes)");
        }
        Bytes eh = ch.read(0, (int) Math.min(size, ElfHeader.EHDR_SIZE), "ELF header");
        if (eh.u8(0) != 0x7f || eh.u8(1) != 'E' || eh.u8(2) != 'L' || eh.u8(3) != 'F') {
            throw bad(path, "not an ELF file (bad magic)");
        }
        if (size < ElfHeader.EHDR_SIZE) {
            throw bad(path, "truncated: the ELF header needs 64 bytes, the file has " + size);
        }
        int cls = eh.u8(4);
        if (cls != 2) {
            throw bad(path, cls == 1 ? "32-bit ELF file; only 64-bit x86-64 cores are supported"
                    : "bad ELF class " + cls);
        }
        int data = eh.u8(5);
        if (data != 1) {
            throw bad(path, data == 2 ? "big-endian ELF file; only little-endian x86-64 cores are supported"
                    : "bad ELF data encoding " + data);
        }
        if (eh.u8(6) != 1) {
            throw bad(path, "bad ELF version " + eh.u8(6));
        }
        int type = eh.u16(16);
        if (type != ElfHeader.ET_CORE) {
            throw bad(path, "not a core file (ELF " + ElfHeader.typeName(type) + ")");
        }
        int machine = eh.u16(18);
        if (machine != ElfHeader.EM_X86_64) {
            throw bad(path, "core of another machine (" + ElfHeader.machineName(machine) + "), not x86-64");
        }
        long phoff = eh.u64(32);
        long shoff = eh.u64(40);
        int ehsize = eh.u16(52);
        int phentsize = eh.u16(54);
        int phnum16 = eh.u16(56);
        int shentsize = eh.u16(58);
        int shnum = eh.u16(60);
        if (ehsize != ElfHeader.EHDR_SIZE) {
            throw bad(path, "bad e_ehsize " + ehsize + " (expected 64)");
        }
        if (phentsize != ElfHeader.PHDR_SIZE) {
            throw bad(path, "bad e_phentsize " + phentsize + " (expected 56)");
        }
        long phnum = phnum16;
        if (phnum16 == ElfHeader.PN_XNUM) {
            // the real count is sh_info of section header 0
            if (shentsize < 64) {
                throw bad(path, "e_phnum is PN_XNUM but e_shentsize is " + shentsize);
            }
            if (!fits(shoff, 64, size)) {
                throw bad(path, "e_phnum is PN_XNUM but section header 0 (offset " + hex(shoff)
                        + ") is past the end of the file (" + size + " bytes)");
            }
            phnum = ch.read(shoff, 64, "section header 0").u32(44);
        }
        if (phnum == 0) {
            throw bad(path, "no program headers");
        }
        if (phnum > MAX_SEGMENTS) {
            throw bad(path, "absurd number of program headers: " + phnum);
        }
        long phsize = phnum * ElfHeader.PHDR_SIZE; // < 2^28: no overflow
        if (!fits(phoff, phsize, size)) {
            throw bad(path, "program header table (" + phnum + " entries at offset " + hex(phoff)
                    + ") runs past the end of the file (" + size + " bytes)");
        }
        Bytes ph = ch.map(phoff, phsize, "program header table");
        List<Segment> segs = new ArrayList<>((int) phnum);
        for (int i = 0; i < phnum; i++) {
            long o = (long) i * ElfHeader.PHDR_SIZE;
            Segment s = new Segment(i, ph.s32(o), ph.s32(o + 4), ph.u64(o + 8), ph.u64(o + 16), ph.u64(o + 32),
                    ph.u64(o + 40), ph.u64(o + 48));
            checkSegment(path, s, size);
            segs.add(s);
        }
        checkOverlaps(path, segs);

        List<Note> notes = new ArrayList<>();
        for (Segment s : segs) {
            if (s.type() != Segment.PT_NOTE || s.filesz() == 0) {
                continue;
            }
            if (Long.compareUnsigned(s.filesz(), MAX_NOTE_SEGMENT) > 0) {
                throw bad(path, "note segment " + s.index() + " is too large (" + Long.toUnsignedString(s.filesz())
                        + " bytes)");
            }
            Bytes nb = ch.map(s.offset(), s.filesz(), "note segment " + s.index());
            walkNotes(path, s, nb, notes);
        }
        return decode(path, size, new ElfHeader(type, machine, phoff, phentsize, phnum, shoff, shentsize, shnum),
                segs, notes, ch.data());
    }

    private static void checkSegment(Path path, Segment s, long size) throws CoreFormatException {
        String name = "segment " + s.index() + " (" + (s.type() == Segment.PT_LOAD ? "PT_LOAD at " + hex(s.vaddr())
                : s.type() == Segment.PT_NOTE ? "PT_NOTE" : "type " + hex(s.type() & 0xffffffffL)) + ")";
        if (s.type() != Segment.PT_LOAD && s.type() != Segment.PT_NOTE) {
            return;
        }
        if (!fits(s.offset(), s.filesz(), size)) {
            throw bad(path, name + " runs past the end of the file: " + Long.toUnsignedString(s.filesz())
                    + " bytes at offset " + hex(s.offset()) + ", file has " + size + " (truncated?)");
        }
        if (s.type() == Segment.PT_LOAD) {
            if (Long.compareUnsigned(s.filesz(), s.memsz()) > 0) {
                throw bad(path, name + " has p_filesz " + hex(s.filesz()) + " > p_memsz " + hex(s.memsz()));
            }
            if (s.vaddr() != 0 && Long.compareUnsigned(s.memsz(), -s.vaddr()) > 0) {
                throw bad(path, name + " of size " + hex(s.memsz()) + " wraps around the address space");
            }
        }
    }

    private static void checkOverlaps(Path path, List<Segment> segs) throws CoreFormatException {
        List<Segment> loads = new ArrayList<>();
        for (Segment s : segs) {
            if (s.type() == Segment.PT_LOAD && s.memsz() != 0) {
                loads.add(s);
            }
        }
        loads.sort(Comparator.comparing(Segment::vaddr, Long::compareUnsigned));
        for (int i = 1; i < loads.size(); i++) {
            Segment a = loads.get(i - 1);
            Segment b = loads.get(i);
            // a.end() == 0 means a ends at 2^64, so it overlaps anything after it
            if (a.end() == 0 || Long.compareUnsigned(b.vaddr(), a.end()) < 0) {
                throw bad(path, "segments " + a.index() + " and " + b.index() + " overlap (" + hex(a.vaddr()) + "-"
                        + hex(a.end()) + " and " + hex(b.vaddr()) + "-" + hex(b.end()) + ")");
            }
        }
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }

    private static void walkNotes(Path path, Segment seg, Bytes nb, List<Note> out) throws CoreFormatException {
        long len = nb.size();
        long pos = 0;
        while (pos < len) {
            long at = seg.offset() + pos;
            if (len - pos < 12) {
                throw bad(path, "truncated note header at file offset " + hex(at) + " (" + (len - pos)
                        + " bytes left in note segment " + seg.index() + ")");
            }
            long namesz = nb.u32(pos);
            long descsz = nb.u32(pos + 4);
            int type = nb.s32(pos + 8);
            long nameStart = pos + 12;
            // all values below fit easily in a long: < 2^32 + 2^28 each
            if (namesz > len - nameStart) {
                throw bad(path, "note at file offset " + hex(at) + ": name of " + namesz
                        + " bytes runs past the end of note segment " + seg.index());
            }
            String owner = "";
            if (namesz > 0) {
                owner = nb.cString(nameStart, (int) namesz, "name of the note at file offset " + hex(at));
            }
            long descStart = nameStart + align4(namesz);
            if (descStart > len || descsz > len - descStart) {
                throw bad(path, "note at file offset " + hex(at) + " (" + owner + " " + Note.typeName(owner, type)
                        + "): descriptor of " + descsz + " bytes runs past the end of note segment "
                        + seg.index());
            }
            if (out.size() >= MAX_NOTES) {
                throw bad(path, "too many notes (more than " + MAX_NOTES + ")");
            }
            out.add(new Note(owner, type, seg.offset() + descStart,
                    nb.sub(descStart, descsz, owner + " " + Note.typeName(owner, type) + " note")));
            pos = Math.min(len, align4(descStart + descsz));
        }
    }

    private static CoreFile decode(Path path, long size, ElfHeader h, List<Segment> segs, List<Note> notes, byte[] memory)
            throws CoreFormatException {
        List<PrStatus> statuses = new ArrayList<>();
        List<boolean[]> fp = new ArrayList<>();
        List<long[]> xs = new ArrayList<>(); // size, xcr0, xstate_bv
        PrPsInfo psinfo = null;
        SigInfo siginfo = null;
        List<AuxEntry> auxv = null;
        List<MappedFile> files = null;
        long pageSize = 0;
        for (Note n : notes) {
            boolean core = n.owner().equals("CORE");
            boolean linux = n.owner().equals("LINUX");
            if (core && n.type() == Note.NT_PRSTATUS) {
                PrStatus st = PrStatus.read(n.desc());
                for (PrStatus other : statuses) {
                    if (other.pid() == st.pid()) {
                        throw bad(path, "thread " + st.pid() + " has two NT_PRSTATUS notes");
                    }
                }
                statuses.add(st);
                fp.add(new boolean[1]);
                xs.add(new long[3]);
            } else if (core && n.type() == Note.NT_FPREGSET) {
                if (n.size() != 512) {
                    throw bad(path, "NT_FPREGSET note has " + n.size() + " bytes, expected 512");
                }
                if (statuses.isEmpty()) {
                    throw bad(path, "NT_FPREGSET note before any NT_PRSTATUS");
                }
                fp.get(fp.size() - 1)[0] = true;
            } else if (linux && n.type() == Note.NT_X86_XSTATE) {
                if (n.size() < 576 || n.size() % 8 != 0) {
                    throw bad(path, "NT_X86_XSTATE note has " + n.size() + " bytes (need a multiple of 8, >= 576)");
                }
                if (statuses.isEmpty()) {
                    throw bad(path, "NT_X86_XSTATE note before any NT_PRSTATUS");
                }
                long[] x = xs.get(xs.size() - 1);
                x[0] = n.size();
                x[1] = n.desc().u64(464);
                x[2] = n.desc().u64(512);
            } else if (core && n.type() == Note.NT_PRPSINFO) {
                if (psinfo != null) {
                    throw bad(path, "more than one NT_PRPSINFO note");
                }
                psinfo = PrPsInfo.read(n.desc());
            } else if (core && n.type() == Note.NT_SIGINFO) {
                SigInfo si = SigInfo.read(n.desc());
                if (siginfo == null) {
                    siginfo = si;
                }
            } else if (core && n.type() == Note.NT_AUXV) {
                if (auxv != null) {
                    throw bad(path, "more than one NT_AUXV note");
                }
                auxv = readAuxv(n.desc());
            } else if (core && n.type() == Note.NT_FILE) {
                if (files != null) {
                    throw bad(path, "more than one NT_FILE note");
                }
                pageSize = n.size() >= 16 ? n.desc().u64(8) : 0;
                files = readNtFile(n.desc());
            }
        }
        if (statuses.isEmpty()) {
            throw bad(path, "no NT_PRSTATUS note: the core holds no thread");
        }
        List<ThreadState> threads = new ArrayList<>();
        for (int i = 0; i < statuses.size(); i++) {
            long[] x = xs.get(i);
            threads.add(new ThreadState(statuses.get(i), fp.get(i)[0], (int) x[0], x[1], x[2]));
        }
        return new CoreFile(path, size, h, segs, notes, threads, psinfo, siginfo, auxv, files, pageSize, memory);
    }

    private static List<AuxEntry> readAuxv(Bytes b) throws CoreFormatException {
        if (b.size() % 16 != 0) {
            throw bad(b.file(), "NT_AUXV note has " + b.size() + " bytes, not a multiple of 16");
        }
        List<AuxEntry> out = new ArrayList<>(b.size() / 16);
        for (int o = 0; o < b.size(); o += 16) {
            long t = b.u64(o);
            if (t == AuxEntry.AT_NULL) {
                break;
            }
            out.add(new AuxEntry(t, b.u64(o + 8)));
        }
        return out;
    }

    private static List<MappedFile> readNtFile(Bytes b) throws CoreFormatException {
        Path p = b.file();
        if (b.size() < 16) {
            throw bad(p, "NT_FILE note has " + b.size() + " bytes, need at least 16");
        }
        long count = b.u64(0);
        long page = b.u64(8);
        long room = (b.size() - 16) / 24;
        if (Long.compareUnsigned(count, room) > 0) {
            throw bad(p, "NT_FILE note claims " + Long.toUnsignedString(count) + " mappings but has room for "
                    + room);
        }
        if (count > 0 && (page <= 0 || Long.bitCount(page) != 1)) {
            throw bad(p, "NT_FILE note has bad page size " + Long.toUnsignedString(page));
        }
        List<MappedFile> out = new ArrayList<>((int) count);
        int names = (int) (16 + 24 * count);
        for (int i = 0; i < count; i++) {
            long start = b.u64(16 + 24L * i);
            long end = b.u64(24 + 24L * i);
            long pgoff = b.u64(32 + 24L * i);
            if (Long.compareUnsigned(start, end) > 0) {
                throw bad(p, "NT_FILE entry " + i + " ends before it starts (" + hex(start) + "-" + hex(end) + ")");
            }
            if (pgoff < 0 || pgoff > Long.MAX_VALUE / page) {
                throw bad(p, "NT_FILE entry " + i + " has an absurd file offset (" + Long.toUnsignedString(pgoff)
                        + " pages)");
            }
            int nul = b.indexOfNul(names);
            if (nul < 0) {
                throw bad(p, "NT_FILE note: the name of entry " + i + " is missing or not NUL-terminated");
            }
            String name = b.fixedString(names, nul - names);
            out.add(new MappedFile(start, end, pgoff * page, name));
            names = nul + 1;
        }
        return out;
    }

    // ---- accessors ----

    public Path path() {
        return path;
    }

    public long fileSize() {
        return fileSize;
    }

    public ElfHeader header() {
        return header;
    }

    /** Every program header, in file order. */
    public List<Segment> segments() {
        return segments;
    }

    /** The PT_LOAD segments, in file order. */
    public List<Segment> loads() {
        List<Segment> l = new ArrayList<>();
        for (Segment s : segments) {
            if (s.type() == Segment.PT_LOAD) {
                l.add(s);
            }
        }
        return Collections.unmodifiableList(l);
    }

    /** Every note of every PT_NOTE segment, in file order. */
    public List<Note> notes() {
        return notes;
    }

    /** The notes of one owner (e.g. "CKPT"), in file order. */
    public List<Note> notes(String owner) {
        List<Note> l = new ArrayList<>();
        for (Note n : notes) {
            if (n.owner().equals(owner)) {
                l.add(n);
            }
        }
        return Collections.unmodifiableList(l);
    }

    /** One entry per NT_PRSTATUS, in file order (the first is the thread that dumped). */
    public List<ThreadState> threads() {
        return threads;
    }

    public Optional<PrPsInfo> psinfo() {
        return Optional.ofNullable(psinfo);
    }

    public Optional<SigInfo> siginfo() {
        return Optional.ofNullable(siginfo);
    }

    /** NT_AUXV entries before AT_NULL; empty when the core has no NT_AUXV. */
    public List<AuxEntry> auxv() {
        return auxv == null ? List.of() : auxv;
    }

    public boolean hasAuxv() {
        return auxv != null;
    }

    /** The value of an auxv entry. */
    public Optional<Long> aux(long type) {
        for (AuxEntry a : auxv()) {
            if (a.type() == type) {
                return Optional.of(a.value());
            }
        }
        return Optional.empty();
    }

    /** NT_FILE entries; empty when the core has no NT_FILE. */
    public List<MappedFile> mappedFiles() {
        return mappedFiles == null ? List.of() : mappedFiles;
    }

    public boolean hasNtFile() {
        return mappedFiles != null;
    }

    /** The page size NT_FILE states (0 without NT_FILE). */
    public long ntFilePageSize() {
        return ntFilePageSize;
    }

    /** The PT_LOAD segment holding {@code addr}, if any. */
    public Optional<Segment> loadAt(long addr) {
        for (Segment s : segments) {
            if (s.type() == Segment.PT_LOAD && s.contains(addr)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * The main executable: the NT_FILE entry holding AT_ENTRY (or AT_PHDR), else the
     * first NT_FILE entry.
     */
    public Optional<String> executablePath() {
        for (long t : new long[] {AuxEntry.AT_ENTRY, AuxEntry.AT_PHDR}) {
            Optional<Long> v = aux(t);
            if (v.isPresent()) {
                for (MappedFile f : mappedFiles()) {
                    if (f.contains(v.get())) {
                        return Optional.of(f.path());
                    }
                }
            }
        }
        return mappedFiles().isEmpty() ? Optional.empty() : Optional.of(mappedFiles().get(0).path());
    }

    /**
     * Reads {@code len} bytes of a PT_LOAD segment's content, starting {@code off} bytes
     * into it; refuses anything outside the bytes the segment holds in the file.
     */
    public byte[] readSegment(Segment s, long off, int len) throws IOException {
        if (off < 0 || len < 0 || Long.compareUnsigned(off, s.filesz()) > 0
                || Long.compareUnsigned(len, s.filesz() - off) > 0) {
            throw bad(path, "read of " + len + " bytes at " + off + " outside segment " + s.index());
        }
        byte[] b = new byte[len];
        if (memory != null) {
            System.arraycopy(memory, (int) Math.addExact(s.offset(), off), b, 0, len);
            return b;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            long pos = Math.addExact(s.offset(), off);
            while (bb.hasRemaining()) {
                int r = ch.read(bb, pos + bb.position());
                if (r < 0) {
                    throw bad(path, "file shrank while reading segment " + s.index());
                }
            }
        }
        return b;
    }
}
