package dev.ckpt.cli;

import dev.ckpt.core.AuxEntry;
import dev.ckpt.core.CoreFile;
import dev.ckpt.core.ElfFile;
import dev.ckpt.core.MappedFile;
import dev.ckpt.core.Note;
import dev.ckpt.core.PrPsInfo;
import dev.ckpt.core.Registers;
import dev.ckpt.core.Segment;
import dev.ckpt.core.SigInfo;
import dev.ckpt.core.ThreadState;
import dev.ckpt.image.CkptImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What {@code ckpt inspect} shows and {@code ckpt verify} checks, computed once from a
 * core and its CKPT notes. The records are what {@code --json} prints; docs/INSPECT.md
 * documents every field. Addresses are hex strings ("0x..."), sizes are numbers.
 */
public record CoreReport(
        String file,
        long fileSize,
        String writer,
        String program,
        String executable,
        String arguments,
        Integer pid,
        Integer ppid,
        Long uid,
        Long gid,
        Signal signal,
        List<Thread> threads,
        List<Aux> auxv,
        List<Mapping> mappings,
        List<FileRef> files,
        List<NoteInfo> notes,
        Ckpt ckpt,
        String restartCommand) {

    /** One note of the core, as readelf -n lists it. */
    public record NoteInfo(String owner, String type, long size, String offset) {}

    /** The signal that stopped the process (NT_SIGINFO, else the first thread's pr_cursig). */
    public record Signal(int number, String name, Integer code, Integer errno, String addr, Integer senderPid) {}

    public record Thread(int tid, int signal, String sigpending, String sigblocked, boolean fpregset,
            int xstateSize, String xcr0, Map<String, String> registers) {}

    public record Aux(String type, String value) {}

    /**
     * One mapping. {@code source}: "core" (all bytes in the core), "file" (all from the
     * mapped file), "zero" (neither: zero pages), "core+file" / "core+zero" (the first
     * {@code coreBytes} from the core, the rest from the file / zero).
     */
    public record Mapping(String start, String end, String perms, long size, String source, String coreOffset,
            long coreBytes, String file, Long fileOffset, String name) {}

    /**
     * A file the checkpoint refers to. {@code status}: "matches", "changed", "missing",
     * "deleted" (already deleted when checkpointed), "unchecked" (exists, nothing to
     * compare with), "not-a-file" (pipe, socket, anonymous inode). {@code needed}: the
     * restore reads pages from it (some mapping is not wholly in the core).
     */
    public record FileRef(String path, List<String> uses, boolean exists, String status, String checkedBy,
            String detail, boolean needed) {}

    public record Ckpt(boolean present, Long version, String writer, Long nthreads, String cwd, String sigmask,
            String tidAddress, Rseq rseq, Mm mm, Integer xstateSize, List<OpenFile> files,
            List<SigAction> sigactions, List<CkptMap> maps, List<Integer> unknownTypes) {}

    public record Rseq(String addr, long len, String sig) {}

    public record Mm(String startCode, String endCode, String startStack, String startData, String endData,
            String startBrk, String brk, String argStart, String argEnd, String envStart, String envEnd) {}

    public record OpenFile(int fd, String path, String kind, String flags, long offset, boolean cloexec,
            int shareId) {}

    /** Only signals whose action is not SIG_DFL are listed. */
    public record SigAction(int signal, String name, String handler, String flags, String mask) {}

    public record CkptMap(String start, String end, String perms, String offset, String dev, long inode,
            long size, long mtimeNs, String path) {}

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static final long PAGE = 4096;
    private static final long VSYSCALL = 0xffffffffff600000L;

    /** Builds the report; reads the files the core refers to (stat and first page). */
    public static CoreReport build(CoreFile core, CkptImage img) {
        Optional<PrPsInfo> ps = core.psinfo();
        ThreadState t0 = core.threads().get(0);
        Signal sig;
        Optional<SigInfo> si = core.siginfo();
        if (si.isPresent()) {
            SigInfo s = si.get();
            sig = new Signal(s.signo(), Signals.name(s.signo()), s.code(), s.errno(), s.isFault() ? hex(s.addr()) : null,
                    !s.isFault() && s.code() <= 0 ? s.senderPid() : null);
        } else {
            int c = t0.status().cursig();
            sig = new Signal(c, Signals.name(c), null, null, null, null);
        }
        List<Thread> threads = new ArrayList<>();
        for (ThreadState t : core.threads()) {
            Map<String, String> regs = new LinkedHashMap<>();
            for (int i = 0; i < Registers.NAMES.size(); i++) {
                regs.put(Registers.NAMES.get(i), hex(t.regs().values().get(i)));
            }
            threads.add(new Thread(t.tid(), t.status().cursig(), hex(t.status().sigpend()), hex(t.status().sighold()),
                    t.hasFpregset(), t.xstateSize(), t.xstateSize() > 0 ? hex(t.xcr0()) : null, regs));
        }
        List<Aux> aux = new ArrayList<>();
        for (AuxEntry a : core.auxv()) {
            aux.add(new Aux(a.name(), hex(a.value())));
        }
        String exe = core.executablePath().orElse(null);
        List<Mapping> maps = mappings(core, img, exe);
        List<FileRef> files = files(core, img, exe);
        return new CoreReport(core.path().toString(), core.fileSize(), writer(core, img),
                ps.map(PrPsInfo::fname).orElse(null), exe, ps.map(PrPsInfo::psargs).orElse(null),
                ps.isPresent() ? ps.get().pid() : t0.tid(), ps.map(PrPsInfo::ppid).orElse(null),
                ps.map(PrPsInfo::uid).orElse(null), ps.map(PrPsInfo::gid).orElse(null), sig, threads, aux, maps, files,
                notes(core), ckpt(img), restartCommand(core, img));
    }

    private static List<NoteInfo> notes(CoreFile core) {
        List<NoteInfo> l = new ArrayList<>();
        for (Note n : core.notes()) {
            String type = n.owner().equals(CkptImage.OWNER) ? ckptTypeName(n.type()) : Note.typeName(n.owner(), n.type());
            l.add(new NoteInfo(n.owner(), type, n.size(), hex(n.descOffset())));
        }
        return l;
    }

    static String ckptTypeName(int type) {
        return switch (type) {
            case CkptImage.NT_VERSION -> "CKPT_NT_VERSION";
            case CkptImage.NT_FILES -> "CKPT_NT_FILES";
            case CkptImage.NT_SIGACTION -> "CKPT_NT_SIGACTION";
            case CkptImage.NT_SIGMASK -> "CKPT_NT_SIGMASK";
            case CkptImage.NT_CWD -> "CKPT_NT_CWD";
            case CkptImage.NT_RSEQ -> "CKPT_NT_RSEQ";
            case CkptImage.NT_TIDADDR -> "CKPT_NT_TIDADDR";
            case CkptImage.NT_MAPS -> "CKPT_NT_MAPS";
            case CkptImage.NT_XSTATE -> "CKPT_NT_XSTATE";
            case CkptImage.NT_MM -> "CKPT_NT_MM";
            default -> String.format("0x%x", type);
        };
    }

    static String writer(CoreFile core, CkptImage img) {
        if (img.version().isPresent()) {
            return img.version().get().writerName();
        }
        if (!core.notes("GDB").isEmpty()) {
            return "gdb";
        }
        for (Note n : core.notes("LINUX")) {
            if (n.type() == 0x205) {
                return "kernel";
            }
        }
        for (Segment s : core.loads()) {
            if (s.offset() % PAGE != 0) {
                return "unknown";
            }
        }
        return "kernel";
    }

    private static MappedFile ntFileAt(CoreFile core, long addr) {
        for (MappedFile f : core.mappedFiles()) {
            if (f.contains(addr)) {
                return f;
            }
        }
        return null;
    }

    private record Row(long start, long end, Segment seg, MappedFile file, CkptImage.MapEntry map) {}

    private static List<Mapping> mappings(CoreFile core, CkptImage img, String exe) {
        List<Row> rows = new ArrayList<>();
        for (Segment s : core.loads()) {
            if (s.memsz() == 0) {
                continue;
            }
            rows.add(new Row(s.vaddr(), s.end(), s, ntFileAt(core, s.vaddr()), img.mapAt(s.vaddr()).orElse(null)));
        }
        for (MappedFile f : core.mappedFiles()) {
            if (f.size() != 0 && core.loadAt(f.start()).isEmpty()) {
                rows.add(new Row(f.start(), f.end(), null, f, img.mapAt(f.start()).orElse(null)));
            }
        }
        for (CkptImage.MapEntry m : img.maps()) {
            boolean covered = false;
            for (Row r : rows) {
                if (Long.compareUnsigned(m.start(), r.start()) >= 0
                        && (r.end() == 0 || Long.compareUnsigned(m.start(), r.end()) < 0)) {
                    covered = true;
                    break;
                }
            }
            if (!covered && m.end() != m.start()) {
                rows.add(new Row(m.start(), m.end(), null, ntFileAt(core, m.start()), m));
            }
        }
        rows.sort(Comparator.comparing(Row::start, Long::compareUnsigned));

        // heuristics for names a plain core does not record
        long vdso = core.aux(AuxEntry.AT_SYSINFO_EHDR).orElse(0L);
        long rsp = core.threads().get(0).regs().rsp();
        Map<String, Optional<ElfFile>> elves = new HashMap<>();
        long exeEnd = 0;
        long exeBase = -1;
        for (MappedFile f : core.mappedFiles()) {
            if (f.path().equals(exe)) {
                if (Long.compareUnsigned(f.end(), exeEnd) > 0) {
                    exeEnd = f.end();
                }
                if (f.fileOffset() == 0 && exeBase == -1) {
                    exeBase = f.start();
                }
            }
        }
        Optional<ElfFile> exeElf = exe == null ? Optional.empty() : elf(elves, exe);
        long bssEnd = -1;
        if (exeElf.isPresent() && exeBase != -1 && !exeElf.get().loads().isEmpty()) {
            long bias = exeBase - exeElf.get().imageStart(PAGE);
            bssEnd = (bias + exeElf.get().imageEnd() + PAGE - 1) & -PAGE;
        }
        boolean heapNamed = false;
        Long brkStart = img.mm().map(CkptImage.Mm::startBrk).orElse(null);
        String[] names = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            String name = null;
            if (r.map() != null && !r.map().path().isEmpty()) {
                name = r.map().path();
            } else if (r.file() != null) {
                name = r.file().path();
            } else if (r.start() == vdso && vdso != 0) {
                name = "[vdso]";
            } else if (r.start() == VSYSCALL) {
                name = "[vsyscall]";
            } else if (Long.compareUnsigned(rsp, r.start()) >= 0
                    && (r.end() == 0 || Long.compareUnsigned(rsp, r.end()) < 0)) {
                name = "[stack]";
            } else if (brkStart != null ? r.start() == brkStart
                    : !heapNamed && isHeap(r, bssEnd != -1 ? bssEnd : exeEnd)) {
                name = "[heap]";
                heapNamed = true;
            }
            names[i] = name;
        }
        // [vvar] pages lie right below the vDSO (kernel cores dump them)
        for (int i = rows.size() - 1; i >= 0 && vdso != 0; i--) {
            if (names[i] == null && i + 1 < rows.size() && rows.get(i).end() == rows.get(i + 1).start()
                    && ("[vdso]".equals(names[i + 1]) || "[vvar]".equals(names[i + 1]))
                    && rows.get(i).seg() != null && (rows.get(i).seg().flags() & Segment.PF_W) == 0) {
                names[i] = "[vvar]";
            }
        }

        List<Mapping> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            long size = r.end() - r.start();
            String file = r.file() != null ? r.file().path() : r.map() != null && r.map().isFile() ? r.map().path() : null;
            Long foff = null;
            if (r.file() != null) {
                foff = r.file().fileOffset() + (r.start() - r.file().start());
            } else if (r.map() != null && r.map().isFile()) {
                foff = r.map().offset() + (r.start() - r.map().start());
            }
            String perms = r.seg() != null ? r.seg().perms() : r.map() != null ? r.map().perms().substring(0, 3) : null;
            if (perms == null && file != null && foff != null) {
                Optional<ElfFile> e = elf(elves, file);
                Segment fs = e.isPresent() ? e.get().loadForOffset(foff, PAGE) : null;
                perms = fs == null ? null : fs.perms();
            }
            long coreBytes = r.seg() != null ? r.seg().filesz() : 0;
            String source;
            if (r.seg() != null && coreBytes == size) {
                source = "core";
            } else if (coreBytes == 0) {
                source = file != null ? "file" : "zero";
            } else {
                source = file != null ? "core+file" : "core+zero";
            }
            out.add(new Mapping(hex(r.start()), hex(r.end()), perms, size, source,
                    r.seg() != null && coreBytes > 0 ? hex(r.seg().offset()) : null, coreBytes, file, foff, names[i]));
        }
        return out;
    }

    /**
     * The anonymous writable mapping where brk starts: at or right above the end of the executable's bss.
     * For display only: the heap the engine restores is plan.c's, and verify asks the engine.
     */
    private static boolean isHeap(Row r, long bssEnd) {
        if (bssEnd == 0 || r.file() != null || r.seg() == null || (r.seg().flags() & Segment.PF_W) == 0) {
            return false;
        }
        if (Long.compareUnsigned(r.start(), bssEnd) < 0) {
            // bss and heap merged into one mapping
            return Long.compareUnsigned(r.end(), bssEnd) > 0;
        }
        // the engine's guess (native/restore/plan.c, guess_heap): brk moved up by at most 1 GiB
        return Long.compareUnsigned(r.start() - bssEnd, (1L << 30) + PAGE) <= 0;
    }

    private static Optional<ElfFile> elf(Map<String, Optional<ElfFile>> cache, String path) {
        return cache.computeIfAbsent(path, p -> {
            // only regular files: opening a FIFO or a terminal named by a core would block
            if (!p.startsWith("/") || !Files.isRegularFile(Path.of(p))) {
                return Optional.empty();
            }
            try {
                return Optional.of(ElfFile.read(Path.of(p)));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** Whether every mapping of {@code path} is wholly in the core (the file is not read on restore). */
    private static boolean needed(CoreFile core, CkptImage img, String path) {
        for (MappedFile f : core.mappedFiles()) {
            if (f.path().equals(path) && !inCore(core, f.start(), f.end())) {
                return true;
            }
        }
        for (CkptImage.MapEntry m : img.maps()) {
            if (m.path().equals(path) && m.isFile() && !inCore(core, m.start(), m.end())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the core holds every byte of {@code [start, end)} (one PT_LOAD, as writers make them). */
    private static boolean inCore(CoreFile core, long start, long end) {
        if (start == end) {
            return true;
        }
        Optional<Segment> s = core.loadAt(start);
        return s.isPresent() && Long.compareUnsigned(s.get().filesz(), end - s.get().vaddr()) >= 0;
    }

    private static List<FileRef> files(CoreFile core, CkptImage img, String exe) {
        Map<String, List<String>> uses = new LinkedHashMap<>();
        if (exe != null) {
            uses.computeIfAbsent(exe, k -> new ArrayList<>()).add("executable");
        }
        for (MappedFile f : core.mappedFiles()) {
            List<String> u = uses.computeIfAbsent(f.path(), k -> new ArrayList<>());
            if (!u.contains("mapped")) {
                u.add("mapped");
            }
        }
        for (CkptImage.MapEntry m : img.maps()) {
            if (m.isFile()) {
                List<String> u = uses.computeIfAbsent(m.path(), k -> new ArrayList<>());
                if (!u.contains("mapped")) {
                    u.add("mapped");
                }
            }
        }
        Map<String, CkptImage.OpenFile> open = new LinkedHashMap<>();
        for (CkptImage.OpenFile f : img.files()) {
            uses.computeIfAbsent(f.path(), k -> new ArrayList<>()).add("fd " + f.fd());
            open.putIfAbsent(f.path(), f);
        }
        List<FileRef> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : uses.entrySet()) {
            String p = e.getKey();
            CkptImage.OpenFile of = open.get(p);
            boolean mapped = e.getValue().contains("mapped") || e.getValue().contains("executable");
            if (!mapped && of != null && of.kind() != CkptImage.OpenFile.REG && of.kind() != CkptImage.OpenFile.DIR
                    && of.kind() != CkptImage.OpenFile.CHR) {
                out.add(new FileRef(p, e.getValue(), false, "not-a-file", null, of.kindName(), false));
                continue;
            }
            out.add(check(core, img, p, Path.of(p), e.getValue(), mapped && needed(core, img, p)));
        }
        return out;
    }

    /**
     * Compares the file {@code onDisk} with what the checkpoint recorded about the file it
     * knew as {@code name}: size and mtime from CKPT_NT_MAPS, else the first page the core
     * holds. A file at another path than {@code name} (a copy) is compared by size and first
     * page only.
     */
    static FileRef check(CoreFile core, CkptImage img, String name, Path onDisk, List<String> uses, boolean needed) {
        if (name.endsWith(" (deleted)")) {
            return new FileRef(name, uses, false, "deleted", null, "deleted before the checkpoint", needed);
        }
        if (!name.startsWith("/")) {
            return new FileRef(name, uses, false, "not-a-file", null, null, false);
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(onDisk, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink()) {
                attrs = Files.readAttributes(onDisk, BasicFileAttributes.class);
            }
        } catch (IOException e) {
            return new FileRef(name, uses, false, "missing", null, null, needed);
        }
        // a copy under another name (an EXECUTABLE given to verify) has its own mtime: compare content
        boolean copy = !onDisk.toString().equals(name);
        boolean sizeMatched = false;
        for (CkptImage.MapEntry m : img.maps()) {
            if (m.path().equals(name) && m.isFile()) {
                long mtime = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
                if (attrs.size() != m.size()) {
                    return new FileRef(name, uses, true, "changed", copy ? "size" : "size+mtime",
                            "size " + attrs.size() + ", was " + m.size(), needed);
                }
                if (copy) {
                    sizeMatched = true;
                    break;
                }
                if (mtime != m.mtimeNs()) {
                    return new FileRef(name, uses, true, "changed", "size+mtime", "modified since the checkpoint",
                            needed);
                }
                return new FileRef(name, uses, true, "matches", "size+mtime", null, needed);
            }
        }
        if (!attrs.isRegularFile()) {
            return new FileRef(name, uses, true, "unchecked", null, attrs.isDirectory() ? "directory" : "not a regular file",
                    needed);
        }
        for (MappedFile f : core.mappedFiles()) {
            if (!f.path().equals(name) || f.fileOffset() != 0 || f.size() == 0) {
                continue;
            }
            Optional<Segment> s = core.loadAt(f.start());
            if (s.isEmpty()) {
                continue;
            }
            long into = f.start() - s.get().vaddr();
            long have = s.get().filesz() - into;
            if (have <= 0) {
                continue;
            }
            int n = (int) Math.min(Math.min(PAGE, have), f.size());
            try {
                byte[] mem = core.readSegment(s.get(), into, n);
                byte[] disk = readHead(onDisk, n);
                byte[] memPart = Arrays.copyOf(mem, disk.length);
                boolean same = Arrays.equals(memPart, disk) && (disk.length == n || attrs.size() < n);
                return new FileRef(name, uses, true, same ? "matches" : "changed", "first page",
                        same ? null : "its first " + n + " bytes differ from the core", needed);
            } catch (IOException e) {
                return new FileRef(name, uses, true, "unchecked", null, "unreadable: " + e.getMessage(), needed);
            }
        }
        if (sizeMatched) {
            return new FileRef(name, uses, true, "matches", "size", null, needed);
        }
        return new FileRef(name, uses, true, "unchecked", null, null, needed);
    }

    private static byte[] readHead(Path p, int n) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(n);
        }
    }

    private static Ckpt ckpt(CkptImage img) {
        List<OpenFile> files = new ArrayList<>();
        for (CkptImage.OpenFile f : img.files()) {
            files.add(new OpenFile(f.fd(), f.path(), f.kindName(), "0" + Long.toOctalString(f.flags()), f.offset(),
                    f.cloexec(), f.shareId()));
        }
        List<SigAction> sigs = new ArrayList<>();
        for (CkptImage.SigAction s : img.sigactions()) {
            if (!s.isDefault()) {
                sigs.add(new SigAction(s.signal(), Signals.name(s.signal()), s.isIgnored() ? "SIG_IGN" : hex(s.handler()),
                        hex(s.flags()), hex(s.mask())));
            }
        }
        List<CkptMap> maps = new ArrayList<>();
        for (CkptImage.MapEntry m : img.maps()) {
            maps.add(new CkptMap(hex(m.start()), hex(m.end()), m.perms(), hex(m.offset()), hex(m.dev()), m.inode(),
                    m.size(), m.mtimeNs(), m.path()));
        }
        CkptImage.Version v = img.version().orElse(null);
        return new Ckpt(img.present(), v == null ? null : v.version(), v == null ? null : v.writerName(),
                v == null ? null : v.nthreads(), img.cwd().orElse(null), img.sigmask().map(CoreReport::hex).orElse(null),
                img.tidAddress().map(CoreReport::hex).orElse(null),
                img.rseq().map(r -> new Rseq(hex(r.addr()), r.len(), hex(r.sig()))).orElse(null),
                img.mm().map(m -> new Mm(hex(m.startCode()), hex(m.endCode()), hex(m.startStack()), hex(m.startData()),
                        hex(m.endData()), hex(m.startBrk()), hex(m.brk()), hex(m.argStart()), hex(m.argEnd()),
                        hex(m.envStart()), hex(m.envEnd()))).orElse(null),
                img.xstateSize().orElse(null), files, sigs, maps, img.unknownTypes());
    }

    static String shellQuote(String s) {
        if (s.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String restartCommand(CoreFile core, CkptImage img) {
        StringBuilder sb = new StringBuilder("ckpt restart");
        Path dir = core.path().toAbsolutePath().getParent();
        if (img.files().isEmpty() && dir != null && Files.isRegularFile(dir.resolve("filedescriptors"))) {
            sb.append(" -f").append(shellQuote(dir.resolve("filedescriptors").toString()));
        }
        sb.append(' ').append(shellQuote(core.path().toAbsolutePath().normalize().toString()));
        return sb.toString();
    }
}
