package dev.ckpt.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.TestCores;
import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * native/include/ckpt_image.h is the one definition of the image: the Java reader
 * ({@link CkptImage}) and the gdb script's writer (gdb-scripts/ckpt.py) are checked
 * against it. native/layout/layout.c, compiled against the header, prints every
 * constant, struct size and field (offset, size, signedness). Java: its constants and
 * sizes must be equal, and notes encoded with the C offsets must decode to the values
 * put in. Python: its constants, and its struct formats field by field. A scratch copy
 * of the header with one struct changed must make a check fail.
 */
class ImageLayoutIT {
    @TempDir
    Path tmp;

    record Field(String struct, String name, long offset, long size, boolean signed) {}

    record Layout(Map<String, Long> consts, Map<String, Long> sizes, Map<String, List<Field>> fields) {}

    /** Compiles layout.c against the ckpt_image.h in {@code include} and reads what it prints. */
    Layout cLayout(Path include) throws Exception {
        Path bin = Files.createTempFile(tmp, "layout", "");
        Run cc = Run.of("gcc", "-std=gnu11", "-Wall", "-I" + include, "-o", bin.toString(),
                Build.basedir().resolve("native/layout/layout.c").toString()).go();
        assertThat(cc.exit).as("compiling layout.c: %s", cc).isZero();
        Run r = Run.of(bin.toString()).go();
        assertThat(r.exit).as("%s", r).isZero();
        Layout l = new Layout(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        for (String line : r.out.lines().toList()) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "const" -> l.consts().put(w[1], Long.parseLong(w[2]));
                case "struct" -> l.sizes().put(w[1], Long.parseLong(w[2]));
                case "field" -> {
                    String[] sf = w[1].split("\\.");
                    l.fields().computeIfAbsent(sf[0], k -> new ArrayList<>()).add(new Field(sf[0], sf[1],
                            Long.parseLong(w[2]), Long.parseLong(w[3]), w[4].equals("signed")));
                }
                default -> throw new AssertionError("layout printed " + line);
            }
        }
        return l;
    }

    /** Every mismatch between the C layout and what Java and Python declare. */
    static List<String> problems(Layout c) throws Exception {
        List<String> p = new ArrayList<>();
        // the field list of layout.c covers each struct: no hole, no tail
        c.sizes().forEach((s, size) -> {
            long end = 0;
            for (Field f : c.fields().getOrDefault(s, List.of())) {
                if (f.offset() != end) {
                    p.add(s + ": bytes " + end + ".." + f.offset() + " are no field listed in native/layout/layout.c");
                }
                end = f.offset() + f.size();
            }
            if (end != size) {
                p.add(s + ": " + size + " bytes, the fields listed in native/layout/layout.c end at " + end);
            }
        });
        javaProblems(c, p);
        pythonProblems(c, p);
        return p;
    }

    static final Map<String, Long> JAVA_CONSTS = Map.ofEntries(
            Map.entry("CKPT_IMAGE_VERSION", (long) CkptImage.VERSION),
            Map.entry("CKPT_NT_VERSION", (long) CkptImage.NT_VERSION), Map.entry("CKPT_NT_FILES", (long) CkptImage.NT_FILES),
            Map.entry("CKPT_NT_SIGACTION", (long) CkptImage.NT_SIGACTION),
            Map.entry("CKPT_NT_SIGMASK", (long) CkptImage.NT_SIGMASK), Map.entry("CKPT_NT_CWD", (long) CkptImage.NT_CWD),
            Map.entry("CKPT_NT_RSEQ", (long) CkptImage.NT_RSEQ), Map.entry("CKPT_NT_TIDADDR", (long) CkptImage.NT_TIDADDR),
            Map.entry("CKPT_NT_MAPS", (long) CkptImage.NT_MAPS), Map.entry("CKPT_NT_XSTATE", (long) CkptImage.NT_XSTATE),
            Map.entry("CKPT_NT_MM", (long) CkptImage.NT_MM),
            Map.entry("CKPT_NT_ATTRS", (long) CkptImage.NT_ATTRS),
            Map.entry("CKPT_NT_THREAD_ATTRS", (long) CkptImage.NT_THREAD_ATTRS),
            Map.entry("CKPT_NT_ORIGIN", (long) CkptImage.NT_ORIGIN),
            Map.entry("CKPT_NT_POSIX_TIMERS", (long) CkptImage.NT_POSIX_TIMERS),
            Map.entry("CKPT_NT_MADVISE", (long) CkptImage.NT_MADVISE),
            Map.entry("CKPT_NT_FIRST_INFO", (long) CkptImage.NT_FIRST_INFO),
            Map.entry("CKPT_NRLIMITS", (long) CkptImage.NRLIMITS),
            Map.entry("CKPT_ATTR_UMASK", (long) CkptImage.Attrs.UMASK),
            Map.entry("CKPT_ATTR_PERSONALITY", (long) CkptImage.Attrs.PERSONALITY),
            Map.entry("CKPT_ATTR_RLIMITS", (long) CkptImage.Attrs.RLIMITS),
            Map.entry("CKPT_ATTR_ITIMERS", (long) CkptImage.Attrs.ITIMERS),
            Map.entry("CKPT_ATTR_OOM", (long) CkptImage.Attrs.OOM),
            Map.entry("CKPT_ATTR_THP", (long) CkptImage.Attrs.THP),
            Map.entry("CKPT_ATTR_LOGINUID", (long) CkptImage.Attrs.LOGINUID),
            Map.entry("CKPT_ATTR_GROUPS", (long) CkptImage.Attrs.GROUPS),
            Map.entry("CKPT_NGROUPS", (long) CkptImage.Attrs.NGROUPS),
            Map.entry("CKPT_TA_SIGALTSTACK", (long) CkptImage.ThreadAttrs.SIGALTSTACK),
            Map.entry("CKPT_TA_COMM", (long) CkptImage.ThreadAttrs.COMM),
            Map.entry("CKPT_FILE_REG", (long) CkptImage.OpenFile.REG), Map.entry("CKPT_FILE_CHR", (long) CkptImage.OpenFile.CHR),
            Map.entry("CKPT_FILE_DIR", (long) CkptImage.OpenFile.DIR), Map.entry("CKPT_FILE_PIPE", (long) CkptImage.OpenFile.PIPE),
            Map.entry("CKPT_FILE_SOCK", (long) CkptImage.OpenFile.SOCK),
            Map.entry("CKPT_FILE_OTHER", (long) CkptImage.OpenFile.OTHER),
            Map.entry("CKPT_MAP_SHARED", (long) CkptImage.MapEntry.SHARED),
            Map.entry("CKPT_MAP_GROWSDOWN", (long) CkptImage.MapEntry.GROWSDOWN),
            Map.entry("CKPT_NT_KOBJ", (long) CkptImage.NT_KOBJ), Map.entry("CKPT_KOBJ_PIPE", (long) KobjNote.PIPE),
            Map.entry("CKPT_KOBJ_EVENTFD", (long) KobjNote.EVENTFD),
            Map.entry("CKPT_KOBJ_SIGNALFD", (long) KobjNote.SIGNALFD),
            Map.entry("CKPT_KOBJ_TIMERFD", (long) KobjNote.TIMERFD), Map.entry("CKPT_KOBJ_EPOLL", (long) KobjNote.EPOLL),
            Map.entry("CKPT_KOBJ_SOCKPAIR", (long) KobjNote.SOCKPAIR), Map.entry("CKPT_KOBJ_FILE", (long) KobjNote.FILE),
            Map.entry("CKPT_KOBJ_PIDFD", (long) KobjNote.PIDFD),
            Map.entry("CKPT_KOBJ_FILE_MEMFD", (long) KobjNote.FILE_MEMFD),
            Map.entry("CKPT_KOBJ_FILE_SAME", (long) KobjNote.FILE_SAME),
            Map.entry("CKPT_KOBJ_PIPE_FIFO", (long) KobjNote.PIPE_FIFO),
            Map.entry("CKPT_KOBJ_EFD_SEMAPHORE", (long) KobjNote.EFD_SEMAPHORE));

    static final Map<String, Integer> JAVA_SIZES = map("ckpt_version", CkptImage.VERSION_SIZE,
            "ckpt_file", CkptImage.FILE_SIZE, "ckpt_sigaction", CkptImage.SIGACTION_SIZE,
            "ckpt_rseq", CkptImage.RSEQ_SIZE, "ckpt_map", CkptImage.MAP_SIZE, "ckpt_mm", CkptImage.MM_SIZE,
            "ckpt_origin", CkptImage.ORIGIN_SIZE,
            "ckpt_kobj", KobjNote.SIZE, "ckpt_epoll_item", KobjNote.EPOLL_ITEM_SIZE,
            "ckpt_attrs", CkptImage.ATTRS_SIZE, "ckpt_thread_attrs", CkptImage.THREAD_ATTRS_SIZE,
            "ckpt_posix_timer", CkptImage.POSIX_TIMER_SIZE, "ckpt_madvise", CkptImage.MADVISE_SIZE);

    /** A map of name, value pairs (more than Map.of takes). */
    @SuppressWarnings("unchecked")
    static <V> Map<String, V> map(Object... kv) {
        Map<String, V> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (V) kv[i + 1]);
        }
        return m;
    }

    static void javaProblems(Layout c, List<String> p) throws IOException {
        JAVA_CONSTS.forEach((n, v) -> {
            if (!v.equals(c.consts().get(n))) {
                p.add("Java: " + n + " = " + v + ", ckpt_image.h says " + c.consts().get(n));
            }
        });
        JAVA_SIZES.forEach((s, v) -> {
            if (!Long.valueOf(v).equals(c.sizes().get(s))) {
                p.add("Java: struct " + s + " is " + v + " bytes, ckpt_image.h says " + c.sizes().get(s));
            }
        });
        // values put at the C offsets must come back out of the Java decoder
        Map<String, Long> v = new LinkedHashMap<>();
        v.putAll(Map.of("ckpt_version.version", (long) CkptImage.VERSION, "ckpt_version.writer", 2L,
                "ckpt_version.nthreads", 1L, "ckpt_version.reserved", 0L));
        v.putAll(Map.of("ckpt_file.fd", 5L, "ckpt_file.flags", 0x802L, "ckpt_file.offset", 0x123456789L,
                "ckpt_file.kind", 4L, "ckpt_file.fdflags", 1L, "ckpt_file.share_id", 3L, "ckpt_file.path_len", 8L));
        v.putAll(Map.of("ckpt_sigaction.handler", 0x401000L, "ckpt_sigaction.flags", 0x4000000L,
                "ckpt_sigaction.restorer", 0x402000L, "ckpt_sigaction.mask", 0x5L));
        v.putAll(Map.of("ckpt_rseq.addr", 0x7000L, "ckpt_rseq.len", 32L, "ckpt_rseq.sig", 0x53053053L));
        v.putAll(Map.of("ckpt_map.start", 0x1000L, "ckpt_map.end", 0x3000L, "ckpt_map.offset", 0x2000L,
                "ckpt_map.prot", 5L, "ckpt_map.flags", 1L, "ckpt_map.dev", 0x801L, "ckpt_map.inode", 77L,
                "ckpt_map.size", 8192L, "ckpt_map.mtime_ns", -3L, "ckpt_map.path_len", 8L));
        v.put("ckpt_map.reserved", 0L);
        String[] mm = {"start_code", "end_code", "start_stack", "start_data", "end_data", "start_brk", "brk",
            "arg_start", "arg_end", "env_start", "env_end"};
        for (int i = 0; i < mm.length; i++) {
            v.put("ckpt_mm." + mm[i], 0x1000L * (i + 1));
        }
        v.putAll(Map.of("ckpt_kobj.fd", 7L, "ckpt_kobj.type", 2L, "ckpt_kobj.ino", 0x1234L, "ckpt_kobj.arg[0]", 0x55L,
                "ckpt_kobj.arg[1]", 0x66L, "ckpt_kobj.arg[2]", 0x77L, "ckpt_kobj.flags", 1L, "ckpt_kobj.data_len", 3L));
        List<byte[]> notes = new ArrayList<>();
        notes.add(CkptNotes.note(CkptImage.NT_VERSION, encode(c, "ckpt_version", v, p)));
        notes.add(CkptNotes.note(CkptImage.NT_FILES, CkptNotes.concat(encode(c, "ckpt_file", v, p), path())));
        byte[] one = encode(c, "ckpt_sigaction", v, p);
        byte[] all = new byte[one.length * 64];
        System.arraycopy(one, 0, all, 0, one.length);
        notes.add(CkptNotes.note(CkptImage.NT_SIGACTION, all));
        notes.add(CkptNotes.note(CkptImage.NT_RSEQ, encode(c, "ckpt_rseq", v, p)));
        notes.add(CkptNotes.note(CkptImage.NT_MAPS, CkptNotes.concat(encode(c, "ckpt_map", v, p), path())));
        notes.add(CkptNotes.note(CkptImage.NT_MM, encode(c, "ckpt_mm", v, p)));
        notes.add(CkptNotes.note(CkptImage.NT_KOBJ, CkptNotes.concat(encode(c, "ckpt_kobj", v, p),
                new byte[] {'a', 'b', 'c', 0, 0, 0, 0, 0})));
        CoreFile base = CoreFile.open(TestCores.sharedGdbLinklist());
        List<byte[]> raw = new ArrayList<>(TestCores.rawNotes(base));
        raw.addAll(notes);
        CkptImage img;
        List<KobjNote> kobj;
        try {
            CoreFile laid = CoreFile.fromBytes(Path.of("/layout/core"), TestCores.shrink(base, raw, 4096));
            img = CkptImage.of(laid);
            kobj = KobjNote.of(laid);
        } catch (CoreFormatException e) {
            p.add("Java: notes laid out as ckpt_image.h says do not decode: " + e.getMessage());
            return;
        }
        CkptImage.Version ver = img.version().orElseThrow();
        same(p, "ckpt_version", List.of(ver.version(), ver.writer(), ver.nthreads()),
                List.of(v.get("ckpt_version.version"), v.get("ckpt_version.writer"), v.get("ckpt_version.nthreads")));
        CkptImage.OpenFile f = img.files().get(0);
        same(p, "ckpt_file", List.of((long) f.fd(), f.flags(), f.offset(), f.kind(), f.fdflags(), (long) f.shareId()),
                List.of(v.get("ckpt_file.fd"), v.get("ckpt_file.flags"), v.get("ckpt_file.offset"),
                        v.get("ckpt_file.kind"), v.get("ckpt_file.fdflags"), v.get("ckpt_file.share_id")));
        CkptImage.SigAction s = img.sigactions().get(0);
        same(p, "ckpt_sigaction", List.of(s.handler(), s.flags(), s.restorer(), s.mask()),
                List.of(v.get("ckpt_sigaction.handler"), v.get("ckpt_sigaction.flags"),
                        v.get("ckpt_sigaction.restorer"), v.get("ckpt_sigaction.mask")));
        CkptImage.Rseq r = img.rseq().orElseThrow();
        same(p, "ckpt_rseq", List.of(r.addr(), r.len(), r.sig()),
                List.of(v.get("ckpt_rseq.addr"), v.get("ckpt_rseq.len"), v.get("ckpt_rseq.sig")));
        CkptImage.MapEntry m = img.maps().get(0);
        same(p, "ckpt_map", List.of(m.start(), m.end(), m.offset(), m.prot(), m.flags(), m.dev(), m.inode(), m.size(),
                m.mtimeNs()), List.of(v.get("ckpt_map.start"), v.get("ckpt_map.end"), v.get("ckpt_map.offset"),
                v.get("ckpt_map.prot"), v.get("ckpt_map.flags"), v.get("ckpt_map.dev"), v.get("ckpt_map.inode"),
                v.get("ckpt_map.size"), v.get("ckpt_map.mtime_ns")));
        CkptImage.Mm x = img.mm().orElseThrow();
        List<Long> want = new ArrayList<>();
        for (String n : mm) {
            want.add(v.get("ckpt_mm." + n));
        }
        KobjNote k = kobj.get(0);
        same(p, "ckpt_kobj", List.of((long) k.fd(), k.type(), k.ino(), k.arg().get(0), k.arg().get(1), k.arg().get(2),
                k.flags(), k.dataLength()), List.of(v.get("ckpt_kobj.fd"), v.get("ckpt_kobj.type"), v.get("ckpt_kobj.ino"),
                v.get("ckpt_kobj.arg[0]"), v.get("ckpt_kobj.arg[1]"), v.get("ckpt_kobj.arg[2]"), v.get("ckpt_kobj.flags"),
                v.get("ckpt_kobj.data_len")));
        same(p, "ckpt_mm", List.of(x.startCode(), x.endCode(), x.startStack(), x.startData(), x.endData(),
                x.startBrk(), x.brk(), x.argStart(), x.argEnd(), x.envStart(), x.envEnd()), want);
    }

    private static byte[] path() {
        return new byte[] {'/', 'x', 0, 0, 0, 0, 0, 0};
    }

    private static void same(List<String> p, String struct, List<Long> decoded, List<Long> put) {
        if (!decoded.equals(put)) {
            p.add("Java: struct " + struct + " laid out as ckpt_image.h says decodes to " + decoded + ", not " + put);
        }
    }

    /** One struct, each field's value at its C offset, as wide as C says. */
    private static byte[] encode(Layout c, String struct, Map<String, Long> values, List<String> p) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(c.sizes().getOrDefault(struct, 0L)))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (Field f : c.fields().getOrDefault(struct, List.of())) {
            Long val = values.get(struct + "." + f.name());
            if (val == null) {
                p.add("Java: no decoder field for " + struct + "." + f.name());
                continue;
            }
            switch ((int) f.size()) {
                case 4 -> b.putInt((int) f.offset(), val.intValue());
                case 8 -> b.putLong((int) f.offset(), val);
                default -> p.add("Java: " + struct + "." + f.name() + " is " + f.size() + " bytes wide");
            }
        }
        return b.array();
    }

    static final Map<String, String> PY_FORMATS = map("ckpt_version", "VERSION_FMT", "ckpt_file", "FILE_FMT",
            "ckpt_sigaction", "SIGACTION_FMT", "ckpt_rseq", "RSEQ_FMT", "ckpt_map", "MAP_FMT", "ckpt_mm", "MM_FMT",
            "ckpt_origin", "ORIGIN_FMT",
            "ckpt_kobj", "KOBJ_FMT", "ckpt_epoll_item", "EPOLL_ITEM_FMT",
            "ckpt_posix_timer", "POSIX_TIMER_FMT", "ckpt_madvise", "MADVISE_FMT",
            "ckpt_rlimit", "RLIMIT_FMT", "ckpt_itimer", "ITIMER_FMT");

    static void pythonProblems(Layout c, List<String> p) throws Exception {
        Path script = ckptPy();
        try {
            Run r = Run.of("python3", script.toString(), "dump", Build.basedir().resolve("gdb-scripts/ckpt.py").toString())
                    .go();
            assertThat(r.exit).as("%s", r).isZero();
            Map<String, String> formats = new LinkedHashMap<>();
            for (String line : r.out.lines().toList()) {
                String[] w = line.split(" ");
                if (w[0].equals("const") && c.consts().containsKey(w[1])
                        && c.consts().get(w[1]) != Long.parseLong(w[2])) {
                    p.add("Python: " + w[1] + " = " + w[2] + ", ckpt_image.h says " + c.consts().get(w[1]));
                } else if (w[0].equals("const") && !c.consts().containsKey(w[1])) {
                    p.add("Python: " + w[1] + " is not in ckpt_image.h");
                } else if (w[0].equals("format")) {
                    formats.put(w[1], w[2]);
                }
            }
            PY_FORMATS.forEach((struct, name) -> {
                String fmt = formats.get(name);
                if (fmt == null) {
                    p.add("Python: no " + name + " for struct " + struct);
                    return;
                }
                List<long[]> py = codes(fmt);
                List<Field> cf = c.fields().getOrDefault(struct, List.of());
                long off = 0;
                for (int i = 0; i < Math.max(py.size(), cf.size()); i++) {
                    if (i >= py.size() || i >= cf.size()) {
                        p.add("Python: " + name + " \"" + fmt + "\" has " + py.size() + " fields, struct " + struct
                                + " has " + cf.size());
                        break;
                    }
                    Field f = cf.get(i);
                    if (py.get(i)[0] != f.size() || (py.get(i)[1] == 1) != f.signed() || off != f.offset()) {
                        p.add("Python: " + name + " \"" + fmt + "\" field " + i + " is " + py.get(i)[0] + " bytes "
                                + (py.get(i)[1] == 1 ? "signed" : "unsigned") + " at " + off + "; " + struct + "."
                                + f.name() + " is " + f.size() + " bytes " + (f.signed() ? "signed" : "unsigned")
                                + " at " + f.offset());
                    }
                    off += py.get(i)[0];
                }
                if (off != c.sizes().get(struct)) {
                    p.add("Python: " + name + " \"" + fmt + "\" is " + off + " bytes, struct " + struct + " "
                            + c.sizes().get(struct));
                }
            });
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** src/test/resources/dev/ckpt/image/ckpt_py.py in a temporary file: ckpt.py run outside gdb. */
    static Path ckptPy() throws IOException {
        Path script = Files.createTempFile("ckpt_py", ".py");
        try (InputStream in = ImageLayoutIT.class.getResourceAsStream("ckpt_py.py")) {
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    /** A little-endian struct format ("<iIq", "<11Q") as {size, signed} per field. */
    static List<long[]> codes(String fmt) {
        List<long[]> l = new ArrayList<>();
        int n = 0;
        for (char ch : fmt.substring(fmt.startsWith("<") ? 1 : 0).toCharArray()) {
            if (Character.isDigit(ch)) {
                n = n * 10 + (ch - '0');
                continue;
            }
            long size = switch (Character.toLowerCase(ch)) {
                case 'b' -> 1;
                case 'h' -> 2;
                case 'i', 'l' -> 4;
                case 'q' -> 8;
                default -> throw new AssertionError("format code " + ch + " in " + fmt);
            };
            for (int k = 0; k < Math.max(n, 1); k++) {
                l.add(new long[] {size, Character.isLowerCase(ch) ? 1 : 0});
            }
            n = 0;
        }
        return l;
    }

    /** Every constant and struct the header defines is listed by layout.c, so none escapes the checks. */
    @Test
    void layoutListsEverythingTheHeaderDefines() throws Exception {
        String h = Files.readString(Build.basedir().resolve("native/include/ckpt_image.h"));
        Layout c = cLayout(Build.basedir().resolve("native/include"));
        List<String> missing = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^\\s*(?:#define\\s+)?(CKPT_[A-Z0-9_]+)\\s*(?:=\\s*)?(?:\\d|0x|\\()").matcher(h);
        while (m.find()) {
            if (!c.consts().containsKey(m.group(1))) {
                missing.add(m.group(1));
            }
        }
        m = java.util.regex.Pattern.compile("(?m)^struct (ckpt_[a-z0-9_]+) \\{").matcher(h);
        while (m.find()) {
            if (!c.sizes().containsKey(m.group(1))) {
                missing.add("struct " + m.group(1));
            }
        }
        assertThat(missing).as("defined in ckpt_image.h but not listed in native/layout/layout.c").isEmpty();
    }

    @Test
    void javaAndPythonAgreeWithTheHeader() throws Exception {
        Layout c = cLayout(Build.basedir().resolve("native/include"));
        assertThat(c.sizes()).hasSize(15);
        assertThat(problems(c)).isEmpty();
    }

    /** A scratch copy of ckpt_image.h with EDIT applied (old text, new text pairs). */
    Layout scratch(String... edit) throws Exception {
        String h = Files.readString(Build.basedir().resolve("native/include/ckpt_image.h"));
        for (int i = 0; i < edit.length; i += 2) {
            assertThat(h).contains(edit[i]);
            h = h.replace(edit[i], edit[i + 1]);
        }
        Path dir = Files.createTempDirectory(tmp, "include");
        Files.writeString(dir.resolve("ckpt_image.h"), h);
        return cLayout(dir);
    }

    @Test
    void aChangedStructMakesTheCheckFail() throws Exception {
        // two fields of ckpt_file swapped: same sizes, so the static asserts and Python's format
        // still hold; the Java decoder reads them at the old offsets
        List<String> swapped = problems(scratch("\tuint32_t kind;      /* enum ckpt_file_kind */\n"
                + "\tuint32_t fdflags;   /* CKPT_FD_CLOEXEC */\n",
                "\tuint32_t fdflags;\n\tuint32_t kind;\n"));
        assertThat(swapped).anyMatch(s -> s.startsWith("Java: struct ckpt_file laid out as ckpt_image.h says"));

        // ckpt_version grows by a field (its static assert updated): Java and Python both fail
        List<String> grown = problems(scratch("\tuint32_t reserved;\n};\n\n/* kind of an open file */",
                "\tuint32_t reserved;\n\tuint64_t more;\n};\n\n/* kind of an open file */",
                "sizeof(struct ckpt_version) == 16", "sizeof(struct ckpt_version) == 24"));
        assertThat(grown).anyMatch(s -> s.startsWith("Java: struct ckpt_version is 16 bytes, ckpt_image.h says 24"));
        assertThat(grown).anyMatch(s -> s.startsWith("Python: VERSION_FMT"));
        assertThat(grown).anyMatch(s -> s.contains("native/layout/layout.c"));

        // the mtime's sign changes: Python's 'q' no longer matches
        List<String> unsigned = problems(scratch("\tint64_t  mtime_ns;", "\tuint64_t mtime_ns;"));
        assertThat(unsigned).anyMatch(s -> s.startsWith("Python: MAP_FMT") && s.contains("mtime_ns"));

        // a constant renumbered
        List<String> renumbered = problems(scratch("CKPT_NT_MM        = 10", "CKPT_NT_MM        = 11"));
        assertThat(renumbered).contains("Java: CKPT_NT_MM = 10, ckpt_image.h says 11",
                "Python: CKPT_NT_MM = 10, ckpt_image.h says 11");
    }
}
