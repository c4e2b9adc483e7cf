package dev.ckpt.cli;

import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.Segment;
import dev.ckpt.gdb.Tools;
import dev.ckpt.image.CkptImage;
import dev.ckpt.image.OriginNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What {@code ckpt inspect} says about where a checkpoint comes from: the program's own
 * argv, where it stopped (function and file:line, from gdb on the executable and the
 * core), how the image was taken, and whether it is a crash.
 *
 * @param argv the program's arguments; from its memory when the image has a CKPT_NT_MM
 *     note (exactly what the program saw), else from the core's NT_PRPSINFO (the kernel's
 *     80-character summary)
 * @param argvFrom "memory" or "psinfo"
 * @param location gdb's frame #0 ("add_node (head=0x..., i=8990) at buglist.c:45"), or null
 * @param takenBy how the image was taken ("ckpt-gdb at add_node, hit 8991", "gdb", "kernel", ...)
 * @param crash null, or the signal and fault address of a crashed process
 */
record Provenance(List<String> argv, String argvFrom, String location, String takenBy, Crash crash) {

    /** A crash: the signal that killed the process, and the faulting address when the kernel gave one. */
    record Crash(String signal, int number, String address) {}

    /** Signals that end a process with a core because of what it did (man 7 signal: "Core"). */
    private static final Set<Integer> CRASHES = Set.of(4, 6, 7, 8, 11, 31);

    static Provenance of(CoreFile core, CkptImage img, CoreReport r, boolean symbols) {
        List<String> argv = argvFromMemory(core, img);
        if (argv == null) {
            argv = argvFromStack(core);
        }
        String from = "memory";
        if (argv == null) {
            from = "psinfo";
            argv = r.arguments() == null ? List.of() : List.of(r.arguments().trim().split(" +"));
        }
        String taken = r.writer();
        try {
            Optional<OriginNote> o = OriginNote.of(core);
            if (o.isPresent()) {
                taken = "ckpt-gdb at " + o.get().location() + ", hit " + o.get().hit() + " (written by " + r.writer() + ")";
            }
        } catch (CoreFormatException e) {
            // CkptImage.of has checked it already
        }
        CoreReport.Signal s = r.signal();
        Crash crash = CRASHES.contains(s.number()) ? new Crash(s.name(), s.number(), s.addr()) : null;
        String location = symbols ? location(core.path(), r.executable()) : null;
        return new Provenance(argv, from, location, taken, crash);
    }

    /** argv from [arg_start, arg_end) of the process's memory, when the core holds it. */
    static List<String> argvFromMemory(CoreFile core, CkptImage img) {
        if (img.mm().isEmpty()) {
            return null;
        }
        long start = img.mm().get().argStart();
        long end = img.mm().get().argEnd();
        if (start == 0 || end <= start || end - start > 1 << 20) {
            return null;
        }
        Optional<Segment> seg = core.loadAt(start);
        if (seg.isEmpty() || end - seg.get().vaddr() > seg.get().filesz()) {
            return null;
        }
        try {
            byte[] b = core.readSegment(seg.get(), start - seg.get().vaddr(), (int) (end - start));
            List<String> out = new ArrayList<>();
            int from = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    out.add(new String(b, from, i - from, StandardCharsets.UTF_8));
                    from = i + 1;
                }
            }
            if (from < b.length) {
                out.add(new String(b, from, b.length - from, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * argv found on the initial stack, for cores without CKPT_NT_MM (gdb's gcore writes
     * its own "PROGRAM ARGS" setting as pr_psargs, not what the process got): the
     * auxiliary vector is in the stack segment exactly as NT_AUXV holds it; below it are
     * envp's NULL, the envp pointers, argv's NULL, the argv pointers and argc.
     */
    static List<String> argvFromStack(CoreFile core) {
        List<dev.ckpt.core.AuxEntry> aux = core.auxv();
        Optional<Long> execfn = core.aux(dev.ckpt.core.AuxEntry.AT_EXECFN);
        if (aux.size() < 2 || execfn.isEmpty()) {
            return null;
        }
        Optional<Segment> seg = core.loadAt(execfn.get());
        if (seg.isEmpty() || seg.get().filesz() < 64 || seg.get().filesz() > 64L << 20) {
            return null;
        }
        Segment st = seg.get();
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(core.readSegment(st, 0, (int) st.filesz()))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int words = b.capacity() / 8;
            int at = -1;
            for (int w = words - 4; w > 0 && at < 0; w--) {
                if (b.getLong(8 * w) == aux.get(0).type() && b.getLong(8 * w + 8) == aux.get(0).value()
                        && b.getLong(8 * w + 16) == aux.get(1).type() && b.getLong(8 * w + 24) == aux.get(1).value()) {
                    at = w;
                }
            }
            if (at < 3 || b.getLong(8 * (at - 1)) != 0) {
                return null;
            }
            int w = at - 2;
            while (w > 0 && b.getLong(8 * w) != 0) {
                w--;                                    // envp pointers
            }
            List<Long> ptrs = new ArrayList<>();
            for (w--; w >= 0 && inside(st, b.getLong(8 * w)); w--) {
                ptrs.add(0, b.getLong(8 * w));          // argv pointers, last first
            }
            if (w < 0 || b.getLong(8 * w) != ptrs.size() || ptrs.isEmpty()) {
                return null;                            // argc
            }
            List<String> out = new ArrayList<>();
            for (long p : ptrs) {
                int off = (int) (p - st.vaddr());
                int end = off;
                while (end < b.capacity() && b.get(end) != 0) {
                    end++;
                }
                byte[] s = new byte[end - off];
                b.get(off, s);
                out.add(new String(s, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean inside(Segment s, long addr) {
        return Long.compareUnsigned(addr, s.vaddr()) >= 0 && Long.compareUnsigned(addr - s.vaddr(), s.filesz()) < 0;
    }

    /** gdb's frame #0 of the core, "func (args) at file:line"; null without gdb, symbols or in time. */
    static String location(Path core, String executable) {
        Optional<Path> gdb = Tools.gdb();
        if (gdb.isEmpty() || executable == null || !Files.isRegularFile(Path.of(executable))) {
            return null;
        }
        Path out = null;
        try {
            out = Files.createTempFile("ckpt-inspect", ".txt");
            Process p = new ProcessBuilder(gdb.get().toString(), "-nx", "-q", "-batch", "-ex", "frame", executable,
                    core.toAbsolutePath().toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return null;
            }
            for (String line : Files.readString(out, StandardCharsets.ISO_8859_1).split("\n")) {
                if (line.startsWith("#0  ")) {
                    String f = line.substring(4).replaceFirst("^0x[0-9a-f]+ in ", "").strip();
                    return f.contains(" at ") || f.contains(" from ") ? f : f + " (no line information)";
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // left in the temporary directory
                }
            }
        }
    }
}
