package dev.ckpt.image;

import dev.ckpt.core.Bytes;
import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.Note;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CKPT notes of a checkpoint, decoded exactly as native/include/ckpt_image.h lays
 * them out (little-endian, 8-byte aligned records). A core without CKPT notes gives an
 * image where everything is empty ({@link #present()} is false). An unknown note type
 * below {@link #NT_FIRST_INFO} is refused (a newer ckpt wrote the image), an unknown
 * informational type (128 and up) is ignored; an unknown image version, a note of the
 * wrong size, a record running past its note or a path without its terminator is a
 * {@link CoreFormatException}.
 */
public record CkptImage(
        Optional<Version> version,
        List<OpenFile> files,
        List<SigAction> sigactions,
        Optional<Long> sigmask,
        Optional<String> cwd,
        Optional<Rseq> rseq,
        Optional<Long> tidAddress,
        List<MapEntry> maps,
        Optional<Integer> xstateSize,
        Optional<Mm> mm,
        Optional<Attrs> attrs,
        List<ThreadAttrs> threadAttrs,
        List<Integer> unknownTypes) {

    public static final String OWNER = "CKPT";
    public static final int VERSION = 1;

    public static final int NT_VERSION = 1;
    public static final int NT_FILES = 2;
    public static final int NT_SIGACTION = 3;
    public static final int NT_SIGMASK = 4;
    public static final int NT_CWD = 5;
    public static final int NT_RSEQ = 6;
    public static final int NT_TIDADDR = 7;
    public static final int NT_MAPS = 8;
    public static final int NT_XSTATE = 9;
    public static final int NT_MM = 10;
    public static final int NT_ATTRS = 11;
    public static final int NT_THREAD_ATTRS = 12;
    public static final int NT_POSIX_TIMERS = 13;
    public static final int NT_MADVISE = 14;
    /** How the checkpoint was taken; read by {@link OriginNote}. */
    public static final int NT_ORIGIN = 16;
    /** Kernel objects behind descriptors; read by {@link KobjNote}. */
    public static final int NT_KOBJ = 17;
    /** Types from here on are informational: ignored when unknown. Below it, an unknown type is refused. */
    public static final int NT_FIRST_INFO = 128;

    public CkptImage {
        files = List.copyOf(files);
        sigactions = List.copyOf(sigactions);
        maps = List.copyOf(maps);
        threadAttrs = List.copyOf(threadAttrs);
        unknownTypes = List.copyOf(unknownTypes);
    }

    /** Whether the core had any CKPT note. */
    public boolean present() {
        return version.isPresent() || !files.isEmpty() || !sigactions.isEmpty() || sigmask.isPresent()
                || cwd.isPresent() || rseq.isPresent() || tidAddress.isPresent() || !maps.isEmpty()
                || xstateSize.isPresent() || mm.isPresent() || attrs.isPresent() || !threadAttrs.isEmpty()
                || !unknownTypes.isEmpty();
    }

    /**
     * struct ckpt_attrs: umask, personality, rlimits ({cur, max} by RLIMIT_*), itimers ({interval,
     * value} in us), oom_score_adj, THP-disable flag, login uid, supplementary groups.
     */
    public record Attrs(long have, long umask, long personality, long[][] rlimits, long[][] itimers,
            int oomScoreAdj, long thpDisable, long loginuid, long[] groups) {
        public static final int UMASK = 1;
        public static final int PERSONALITY = 2;
        public static final int RLIMITS = 4;
        public static final int ITIMERS = 8;
        public static final int OOM = 16;
        public static final int THP = 32;
        public static final int LOGINUID = 64;
        public static final int GROUPS = 128;
        public static final int NGROUPS = 32;
    }

    /** struct ckpt_thread_attrs: sigaltstack and comm of one thread. */
    public record ThreadAttrs(int tid, long have, long ssSp, long ssSize, long ssFlags, String comm) {
        public static final int SIGALTSTACK = 1;
        public static final int COMM = 2;
    }

    /** struct ckpt_version. */
    public record Version(long version, long writer, long nthreads) {
        public String writerName() {
            return writer == 1 ? "gdb" : writer == 2 ? "savefds" : writer == 3 ? "ckpt-dump" : "writer " + writer;
        }
    }

    /** struct ckpt_file and its path. */
    public record OpenFile(int fd, long flags, long offset, long kind, long fdflags, int shareId, String path) {
        public static final int REG = 1;
        public static final int CHR = 2;
        public static final int DIR = 3;
        public static final int PIPE = 4;
        public static final int SOCK = 5;
        public static final int OTHER = 6;

        public String kindName() {
            return switch ((int) kind) {
                case REG -> "reg";
                case CHR -> "chr";
                case DIR -> "dir";
                case PIPE -> "pipe";
                case SOCK -> "sock";
                case OTHER -> "other";
                default -> "kind " + kind;
            };
        }

        public boolean cloexec() {
            return (fdflags & 1) != 0;
        }
    }

    /** struct ckpt_sigaction for one signal (1-based). */
    public record SigAction(int signal, long handler, long flags, long restorer, long mask) {
        public boolean isDefault() {
            return handler == 0;
        }

        public boolean isIgnored() {
            return handler == 1;
        }
    }

    /** struct ckpt_rseq. */
    public record Rseq(long addr, long len, long sig) {}

    /** struct ckpt_map and its path or pseudo-name. */
    public record MapEntry(long start, long end, long offset, long prot, long flags, long dev, long inode,
            long size, long mtimeNs, String path) {
        public static final int SHARED = 1;
        public static final int GROWSDOWN = 2;

        public boolean shared() {
            return (flags & SHARED) != 0;
        }

        /** "rwxp" / "rwxs" as /proc/PID/maps shows it. */
        public String perms() {
            return ((prot & 1) != 0 ? "r" : "-") + ((prot & 2) != 0 ? "w" : "-") + ((prot & 4) != 0 ? "x" : "-")
                    + (shared() ? "s" : "p");
        }

        /** Whether it maps a file on disk (not anonymous, not a [pseudo] name). */
        public boolean isFile() {
            return path.startsWith("/") && inode != 0;
        }

        public boolean contains(long addr) {
            return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
        }
    }

    /** struct ckpt_mm. */
    public record Mm(long startCode, long endCode, long startStack, long startData, long endData, long startBrk,
            long brk, long argStart, long argEnd, long envStart, long envEnd) {}

    public static final int VERSION_SIZE = 16;
    public static final int FILE_SIZE = 32;
    public static final int SIGACTION_SIZE = 32;
    public static final int SIGACTION_COUNT = 64;
    public static final int RSEQ_SIZE = 16;
    public static final int MAP_SIZE = 72;
    public static final int MM_SIZE = 88;
    public static final int ORIGIN_SIZE = 16;
    public static final int ATTRS_SIZE = 464;
    public static final int THREAD_ATTRS_SIZE = 48;
    public static final int POSIX_TIMER_SIZE = 48;
    public static final int MADVISE_SIZE = 24;
    public static final int NRLIMITS = 16;

    /** Decodes the CKPT notes of {@code core}. */
    public static CkptImage of(CoreFile core) throws CoreFormatException {
        Version version = null;
        List<OpenFile> files = null;
        List<SigAction> sig = null;
        Long sigmask = null;
        String cwd = null;
        Rseq rseq = null;
        Long tid = null;
        List<MapEntry> maps = null;
        Integer xstate = null;
        int xstates = 0;
        Mm mm = null;
        Attrs attrs = null;
        Integer ntimers = null;
        Integer nadvice = null;
        List<ThreadAttrs> tattrs = null;
        List<Integer> unknown = new ArrayList<>();
        List<Note> notes = core.notes(OWNER);
        // the version comes first in meaning: refuse an unknown one before decoding the rest
        for (Note n : notes) {
            if (n.type() == NT_VERSION) {
                if (version != null) {
                    throw bad(n, "more than one CKPT version note");
                }
                Bytes b = exact(n, VERSION_SIZE, "CKPT_NT_VERSION");
                version = new Version(b.u32(0), b.u32(4), b.u32(8));
                if (version.version() != VERSION) {
                    throw bad(n, "CKPT image version " + version.version() + ", this ckpt reads version " + VERSION);
                }
            }
        }
        for (Note n : notes) {
            Bytes b = n.desc();
            switch (n.type()) {
                case NT_VERSION -> { }
                case NT_FILES -> files = once(n, files, readFiles(b));
                case NT_SIGACTION -> {
                    Bytes s = exact(n, SIGACTION_SIZE * SIGACTION_COUNT, "CKPT_NT_SIGACTION");
                    List<SigAction> l = new ArrayList<>(SIGACTION_COUNT);
                    for (int i = 0; i < SIGACTION_COUNT; i++) {
                        int o = i * SIGACTION_SIZE;
                        l.add(new SigAction(i + 1, s.u64(o), s.u64(o + 8), s.u64(o + 16), s.u64(o + 24)));
                    }
                    sig = once(n, sig, l);
                }
                case NT_SIGMASK -> sigmask = once(n, sigmask, exact(n, 8, "CKPT_NT_SIGMASK").u64(0));
                case NT_CWD -> {
                    if (b.size() == 0) {
                        throw bad(n, "CKPT_NT_CWD note is empty");
                    }
                    String c = b.cString(0, b.size(), "CKPT_NT_CWD path");
                    cwd = once(n, cwd, c);
                }
                case NT_RSEQ -> {
                    Bytes r = exact(n, RSEQ_SIZE, "CKPT_NT_RSEQ");
                    rseq = once(n, rseq, new Rseq(r.u64(0), r.u32(8), r.u32(12)));
                }
                case NT_TIDADDR -> tid = once(n, tid, exact(n, 8, "CKPT_NT_TIDADDR").u64(0));
                case NT_MAPS -> maps = once(n, maps, readMaps(b));
                case NT_XSTATE -> {
                    if (b.size() < 576 || b.size() % 8 != 0) {
                        throw bad(n, "CKPT_NT_XSTATE note has " + b.size() + " bytes (need a multiple of 8, >= 576)");
                    }
                    // one per thread, in NT_PRSTATUS order (a writer may give only the first thread's)
                    if (++xstates > core.threads().size()) {
                        throw bad(n, "more CKPT_NT_XSTATE notes than threads");
                    }
                    if (xstate == null) {
                        xstate = b.size();
                    }
                }
                case NT_MM -> {
                    Bytes m = exact(n, MM_SIZE, "CKPT_NT_MM");
                    long[] v = new long[11];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = m.u64(8L * i);
                    }
                    mm = once(n, mm, new Mm(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]));
                }
                case NT_ATTRS -> attrs = once(n, attrs, readAttrs(exact(n, ATTRS_SIZE, "CKPT_NT_ATTRS")));
                case NT_THREAD_ATTRS -> tattrs = once(n, tattrs, readThreadAttrs(n));
                case NT_POSIX_TIMERS -> {
                    if (n.size() % POSIX_TIMER_SIZE != 0) {
                        throw bad(n, "CKPT_NT_POSIX_TIMERS note has " + n.size() + " bytes, not a multiple of "
                                + POSIX_TIMER_SIZE);
                    }
                    ntimers = once(n, ntimers, (int) (n.size() / POSIX_TIMER_SIZE));
                }
                case NT_MADVISE -> {
                    if (n.size() % MADVISE_SIZE != 0) {
                        throw bad(n, "CKPT_NT_MADVISE note has " + n.size() + " bytes, not a multiple of "
                                + MADVISE_SIZE);
                    }
                    nadvice = once(n, nadvice, (int) (n.size() / MADVISE_SIZE));
                }
                case NT_ORIGIN -> OriginNote.parse(n);
                case NT_KOBJ -> KobjNote.parse(n);
                default -> {
                    if (n.type() < NT_FIRST_INFO) {
                        throw bad(n, "CKPT note type " + n.type() + " is unknown to this reader: a newer ckpt wrote the image");
                    }
                    unknown.add(n.type());
                }
            }
        }
        return new CkptImage(Optional.ofNullable(version), files == null ? List.of() : files,
                sig == null ? List.of() : sig, Optional.ofNullable(sigmask), Optional.ofNullable(cwd),
                Optional.ofNullable(rseq), Optional.ofNullable(tid), maps == null ? List.of() : maps,
                Optional.ofNullable(xstate), Optional.ofNullable(mm), Optional.ofNullable(attrs),
                tattrs == null ? List.of() : tattrs, unknown);
    }

    private static Attrs readAttrs(Bytes b) throws CoreFormatException {
        long[][] rl = new long[NRLIMITS][];
        for (int i = 0; i < NRLIMITS; i++) {
            rl[i] = new long[] {b.u64(16 + 16L * i), b.u64(24 + 16L * i)};
        }
        long[][] it = new long[3][];
        for (int i = 0; i < 3; i++) {
            it[i] = new long[] {b.u64(272 + 16L * i), b.u64(280 + 16L * i)};
        }
        long n = Math.min(b.u32(332), Attrs.NGROUPS);
        long[] groups = new long[(int) n];
        for (int i = 0; i < n; i++) {
            groups[i] = b.u32(336 + 4L * i);
        }
        return new Attrs(b.u32(0), b.u32(4), b.u32(8), rl, it, (int) b.u32(320), b.u32(324), b.u32(328), groups);
    }

    private static List<ThreadAttrs> readThreadAttrs(Note n) throws CoreFormatException {
        Bytes b = n.desc();
        if (b.size() % THREAD_ATTRS_SIZE != 0) {
            throw bad(n, "CKPT_NT_THREAD_ATTRS note has " + b.size() + " bytes, not a multiple of " + THREAD_ATTRS_SIZE);
        }
        List<ThreadAttrs> l = new ArrayList<>();
        for (long o = 0; o < b.size(); o += THREAD_ATTRS_SIZE) {
            String what = "CKPT_NT_THREAD_ATTRS record " + l.size() + " comm";
            l.add(new ThreadAttrs((int) b.u32(o), b.u32(o + 4), b.u64(o + 8), b.u64(o + 16), b.u32(o + 24),
                    b.cString(o + 32, 16, what)));
        }
        return l;
    }

    private static CoreFormatException bad(Note n, String problem) {
        return new CoreFormatException(n.desc().file(), problem);
    }

    private static <T> T once(Note n, T old, T value) throws CoreFormatException {
        if (old != null) {
            throw bad(n, "more than one CKPT note of type " + n.type());
        }
        return value;
    }

    /**
     * A note's data, at least as large as the struct this reader knows: larger is a newer
     * writer's (fields appended at the end) and is read as far as known; smaller is refused.
     * The same rule as native/core/corefile.c (docs/IMAGE-FORMAT.md, "Readers").
     */
    private static Bytes exact(Note n, int size, String name) throws CoreFormatException {
        if (n.size() < size) {
            throw bad(n, name + " note has " + n.size() + " bytes, expected at least " + size);
        }
        return n.desc();
    }

    /** Reads the path of {@code path_len} bytes following a record, as the header describes. */
    private static String path(Bytes b, long off, long pathLen, String what) throws CoreFormatException {
        if (pathLen < 8 || pathLen % 8 != 0) {
            throw new CoreFormatException(b.file(), what + ": path_len " + pathLen + " is not a multiple of 8 >= 8");
        }
        if (pathLen > b.size() - off) {
            throw new CoreFormatException(b.file(), what + ": path of " + pathLen + " bytes runs past the end of the note");
        }
        return b.cString(off, (int) pathLen, what + " path");
    }

    private static List<OpenFile> readFiles(Bytes b) throws CoreFormatException {
        List<OpenFile> l = new ArrayList<>();
        long o = 0;
        while (o < b.size()) {
            String what = "CKPT_NT_FILES record " + l.size();
            if (b.size() - o < FILE_SIZE) {
                throw new CoreFormatException(b.file(), what + " is truncated");
            }
            long pathLen = b.u32(o + 28);
            String p = path(b, o + FILE_SIZE, pathLen, what);
            l.add(new OpenFile(b.s32(o), b.u32(o + 4), b.u64(o + 8), b.u32(o + 16), b.u32(o + 20), b.s32(o + 24), p));
            o += FILE_SIZE + pathLen;
        }
        return l;
    }

    private static List<MapEntry> readMaps(Bytes b) throws CoreFormatException {
        List<MapEntry> l = new ArrayList<>();
        long o = 0;
        while (o < b.size()) {
            String what = "CKPT_NT_MAPS record " + l.size();
            if (b.size() - o < MAP_SIZE) {
                throw new CoreFormatException(b.file(), what + " is truncated");
            }
            long start = b.u64(o);
            long end = b.u64(o + 8);
            if (Long.compareUnsigned(start, end) > 0) {
                throw new CoreFormatException(b.file(), what + " ends before it starts");
            }
            long pathLen = b.u32(o + 64);
            String p = path(b, o + MAP_SIZE, pathLen, what);
            l.add(new MapEntry(start, end, b.u64(o + 16), b.u32(o + 24), b.u32(o + 28), b.u64(o + 32),
                    b.u64(o + 40), b.u64(o + 48), b.u64(o + 56), p));
            o += MAP_SIZE + pathLen;
        }
        return l;
    }

    /** The mapping record holding {@code addr}. */
    public Optional<MapEntry> mapAt(long addr) {
        for (MapEntry m : maps) {
            if (m.contains(addr)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
