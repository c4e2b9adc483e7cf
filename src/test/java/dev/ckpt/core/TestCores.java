package dev.ckpt.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Makes real cores for the tests: with gdb's gcore and with the kernel (ulimit -c, the
 * program raising SIGQUIT at itself in the test's directory: core_pattern is "core").
 * Every external step has a time limit; a process still running then is killed.
 */
public final class TestCores {
    private TestCores() {}

    public static Path target() {
        return Path.of(System.getProperty("ckpt.target", "target")).toAbsolutePath();
    }

    public static Path linklist() {
        return target().resolve("examples/linklist");
    }

    public static Path nativeTest(String name) {
        return target().resolve("native-tests").resolve(name);
    }

    /** Output of a finished process, or a failure when it did not finish in time. */
    public record Run(int status, String out, String err) {}

    /**
     * The JVM sets its coredump_filter to 0x3f (children inherit it), so a core made by a
     * child of the JVM holds every file-backed page; a shell's default is 0x33. The cores
     * made here use the default, as a user's would be.
     */
    public static final String DEFAULT_FILTER = "echo 0x33 > /proc/self/coredump_filter; ";

    /** {@code cmd} run through bash with the default coredump_filter. */
    public static List<String> withDefaultFilter(List<String> cmd) {
        List<String> l = new ArrayList<>(List.of("bash", "-c", DEFAULT_FILTER + "exec \"$@\"", "bash"));
        l.addAll(cmd);
        return l;
    }

    /** {@link dev.ckpt.testing.Run} with stdin at end of file, as a record. */
    public static Run run(List<String> cmd, Path dir, Map<String, String> env, int seconds) {
        try {
            dev.ckpt.testing.Run r = dev.ckpt.testing.Run.of(cmd).dir(dir).env(env)
                    .timeout(java.time.Duration.ofSeconds(seconds)).go();
            return new Run(r.exit, r.out, r.err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * gdb core of linklist stopped at line 29 after {@code continue cont}, fed {@code n}.
     * Returns the core; gdb's printout of rip, rsp and fs_base at that point is in
     * {@code dir/regs.txt} as "RIP=... RSP=... FS=...".
     */
    public static Path gdbLinklist(Path dir, int n, int cont) throws IOException {
        Path input = dir.resolve("input.txt");
        Files.writeString(input, n + "\n");
        Path core = dir.resolve("core.linklist");
        Run r = run(withDefaultFilter(List.of("gdb", "-nx", "-batch", "-ex", "break 29", "-ex", "run < " + input,
                "-ex", "continue " + cont,
                "-ex", "printf \"RIP=%lx RSP=%lx FS=%lx\\n\", $rip, $rsp, $fs_base",
                "-ex", "gcore " + core, "-ex", "kill", linklist().toString())), dir, Map.of(), 120);
        if (!Files.isRegularFile(core)) {
            throw new AssertionError("gdb wrote no core: " + r);
        }
        for (String line : r.out().split("\n")) {
            if (line.startsWith("RIP=")) {
                Files.writeString(dir.resolve("regs.txt"), line);
            }
        }
        return core;
    }

    /** gdb core of a program stopped at checkpoint_point (feature programs). */
    public static Path gdbAtCheckpoint(Path dir, Path program) {
        Path core = dir.resolve("core." + program.getFileName());
        Run r = run(withDefaultFilter(List.of("gdb", "-nx", "-batch", "-ex", "break checkpoint_point", "-ex", "run",
                "-ex", "gcore " + core, "-ex", "kill", program.toString())), dir, Map.of(), 120);
        if (!Files.isRegularFile(core)) {
            throw new AssertionError("gdb wrote no core: " + r);
        }
        return core;
    }

    /** What a kernel core run gives: the core and the pid of the dumped process. */
    public record KernelCore(Path core, long pid) {}

    /**
     * Kernel core of a feature program: it raises SIGQUIT at checkpoint_point
     * (CKPT_KERNEL_CORE=1) with ulimit -c unlimited, in {@code dir}. The JVM's threads
     * block SIGQUIT and its children inherit that mask: {@code env --default-signal=QUIT}
     * unblocks it (and resets its action) before the program starts. The core is renamed
     * to {@code dir/core.kernel.NAME}.
     */
    public static KernelCore kernelCore(Path dir, Path program) throws IOException {
        Path work = Files.createTempDirectory(dir, "kcore");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                DEFAULT_FILTER + "ulimit -c unlimited; exec env --default-signal=QUIT \"$0\"", program.toString())
                .directory(work.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CKPT_KERNEL_CORE", "1");
        Process p = pb.start();
        long pid = p.pid();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(program + " did not dump core in time");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (p.exitValue() != 128 + 3) {
            throw new AssertionError(program + " exited with " + p.exitValue() + ", expected SIGQUIT (131)");
        }
        Path found;
        try (Stream<Path> s = Files.list(work)) {
            found = s.filter(f -> f.getFileName().toString().startsWith("core")).findFirst()
                    .orElseThrow(() -> new AssertionError("no core in " + work + " (core_pattern is "
                            + readPattern() + ")"));
        }
        Path core = dir.resolve("core.kernel." + program.getFileName());
        Files.move(found, core);
        Files.delete(work);
        return new KernelCore(core, pid);
    }

    private static String readPattern() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- cores kept for the whole test JVM (property tests cannot use @TempDir) ----

    private static Path shared;
    private static final Map<String, Object> CACHE = new HashMap<>();

    /** A temporary directory for this JVM's shared cores, deleted when the JVM exits. */
    public static synchronized Path sharedDir() throws IOException {
        if (shared == null) {
            shared = Files.createTempDirectory("ckpt-cores");
            Path d = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
        }
        return shared;
    }

    /** A gdb core of linklist (1000 nodes, continue 500), made once per JVM. */
    public static synchronized Path sharedGdbLinklist() throws IOException {
        Path d = sharedDir().resolve("gdb");
        if (!CACHE.containsKey("gdb")) {
            Files.createDirectories(d);
            CACHE.put("gdb", gdbLinklist(d, 1000, 500));
        }
        return (Path) CACHE.get("gdb");
    }

    /** A kernel core of native-tests/heap, made once per JVM. */
    public static synchronized KernelCore sharedKernelHeap() throws IOException {
        if (!CACHE.containsKey("kernel")) {
            CACHE.put("kernel", kernelCore(sharedDir(), nativeTest("heap")));
        }
        return (KernelCore) CACHE.get("kernel");
    }

    // ---- rewriting cores ----

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The notes of a core as raw bytes per note, in file order (read through the reader). */
    public static List<byte[]> rawNotes(CoreFile core) {
        List<byte[]> out = new ArrayList<>();
        for (Note n : core.notes()) {
            byte[] d = new byte[n.size()];
            n.desc().buffer().get(d);
            out.add(note(n.owner(), n.type(), d));
        }
        return out;
    }

    /** One note: header, NUL-terminated name padded to 4, descriptor padded to 4. */
    public static byte[] note(String owner, int type, byte[] desc) {
        byte[] name = (owner + "\0").getBytes(StandardCharsets.UTF_8);
        int nlen = (name.length + 3) & ~3;
        int dlen = (desc.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(12 + nlen + dlen).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(name.length).putInt(desc.length).putInt(type);
        b.put(name).position(12 + nlen);
        b.put(desc);
        return b.array();
    }

    /**
     * A small valid core built from a real one: the same ELF header and program headers,
     * one PT_NOTE holding {@code notes}, every PT_LOAD kept with its addresses but at
     * most {@code keepBytes} of content (the rest counts as not dumped, as the kernel
     * does for file pages). Small enough to map thousands of times per second.
     */
    public static byte[] shrink(CoreFile core, List<byte[]> notes, int keepBytes) throws IOException {
        ByteArrayOutputStream noteBytes = new ByteArrayOutputStream();
        for (byte[] n : notes) {
            noteBytes.write(n);
        }
        List<Segment> segs = new ArrayList<>();
        for (Segment s : core.segments()) {
            if (s.type() == Segment.PT_LOAD) {
                segs.add(s);
            }
        }
        int phnum = segs.size() + 1;
        long notesOff = 64 + 56L * phnum;
        long dataOff = notesOff + noteBytes.size();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer ph = ByteBuffer.allocate(56 * phnum).order(ByteOrder.LITTLE_ENDIAN);
        ph.putInt(Segment.PT_NOTE).putInt(Segment.PF_R).putLong(notesOff).putLong(0).putLong(0)
                .putLong(noteBytes.size()).putLong(0).putLong(1);
        for (Segment s : segs) {
            int keep = (int) Math.min(keepBytes, s.filesz());
            byte[] content = core.readSegment(s, 0, keep);
            ph.putInt(Segment.PT_LOAD).putInt(s.flags()).putLong(dataOff + data.size()).putLong(s.vaddr()).putLong(0)
                    .putLong(keep).putLong(s.memsz()).putLong(s.align());
            data.write(content);
        }
        ByteBuffer eh = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        eh.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        eh.position(16);
        eh.putShort((short) ElfHeader.ET_CORE).putShort((short) ElfHeader.EM_X86_64).putInt(1).putLong(0)
                .putLong(64).putLong(0).putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) phnum)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(eh.array());
        out.write(ph.array());
        out.write(noteBytes.toByteArray());
        out.write(data.toByteArray());
        return out.toByteArray();
    }
}
