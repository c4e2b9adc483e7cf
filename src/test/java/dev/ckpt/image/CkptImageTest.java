package dev.ckpt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.TestCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CKPT notes decoded: from a real core with notes added by the test encoder (every field,
 * the refusals), and from real images of both writers, checked against the program's own state.
 */
class CkptImageTest {
    @TempDir
    Path tmp;

    /** The shared gdb core, shrunk, with {@code extra} notes after its own. */
    static Path coreWith(Path dir, String name, byte[]... extra) throws IOException {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        List<byte[]> notes = new ArrayList<>(TestCores.rawNotes(c));
        notes.addAll(Arrays.asList(extra));
        Path p = dir.resolve(name);
        Files.write(p, TestCores.shrink(c, notes, 4096));
        return p;
    }

    static CkptImage image(Path p) throws IOException {
        return CkptImage.of(CoreFile.open(p));
    }

    @Test
    void plainCoreHasNoCkptNotes() throws IOException {
        CkptImage img = CkptImage.of(CoreFile.open(TestCores.sharedGdbLinklist()));
        assertThat(img.present()).isFalse();
        assertThat(img.files()).isEmpty();
        assertThat(img.version()).isEmpty();
    }

    @Test
    void decodesEveryNote() throws IOException {
        Path p = coreWith(tmp, "noted",
                CkptNotes.version(1, 2, 1),
                CkptNotes.note(CkptImage.NT_FILES, CkptNotes.concat(
                        CkptNotes.fileRecord(0, 02, 0, 2, 0, 0, "/dev/pts/3"),
                        CkptNotes.fileRecord(3, 0101, 1234, 1, 1, 3, "/tmp/out.txt"),
                        CkptNotes.fileRecord(4, 0101, 1234, 1, 0, 3, "/tmp/out.txt"),
                        CkptNotes.fileRecord(5, 0, 0, 4, 0, 5, "pipe:[12345]"))),
                CkptNotes.sigactions(0, 1, 0, 0, 0, 0, 0, 0, 0, 0x401136L),
                CkptNotes.u64(CkptImage.NT_SIGMASK, 1L << 9),
                CkptNotes.cwd("/tmp/some where"),
                CkptNotes.rseq(0x7ffff7dd2fe0L, 32, 0x53053053),
                CkptNotes.u64(CkptImage.NT_TIDADDR, 0x7ffff7dd2a10L),
                CkptNotes.note(CkptImage.NT_MAPS, CkptNotes.concat(
                        CkptNotes.mapRecord(0x555555554000L, 0x555555555000L, 0, 1, 0, 0x801, 42, 16000, 1700000000123456789L,
                                "/usr/bin/prog"),
                        CkptNotes.mapRecord(0x555555559000L, 0x55555557a000L, 0, 3, 0, 0, 0, 0, 0, "[heap]"),
                        CkptNotes.mapRecord(0x7ffffffde000L, 0x7ffffffff000L, 0, 3, 2, 0, 0, 0, 0, "[stack]"),
                        CkptNotes.mapRecord(0x7ffff7dd2000L, 0x7ffff7dd5000L, 0, 3, 1, 0, 0, 0, 0, ""))),
                CkptNotes.note(CkptImage.NT_XSTATE, new byte[2688]),
                CkptNotes.mm(0x555555555000L, 0x555555556000L, 0x7fffffffe6d0L, 0x555555557dd8L, 0x555555558010L,
                        0x555555559000L, 0x55555557a000L, 1, 2, 3, 4),
                CkptNotes.note(200, new byte[] {1, 2, 3}));
        CkptImage img = image(p);
        assertThat(img.present()).isTrue();
        assertThat(img.version()).contains(new CkptImage.Version(1, 2, 1));
        assertThat(img.version().get().writerName()).isEqualTo("savefds");
        assertThat(img.files()).hasSize(4);
        CkptImage.OpenFile f = img.files().get(1);
        assertThat(f).isEqualTo(new CkptImage.OpenFile(3, 0101, 1234, 1, 1, 3, "/tmp/out.txt"));
        assertThat(f.cloexec()).isTrue();
        assertThat(f.kindName()).isEqualTo("reg");
        assertThat(img.files().get(3).path()).isEqualTo("pipe:[12345]");
        assertThat(img.sigactions()).hasSize(64);
        assertThat(img.sigactions().get(1).isIgnored()).isTrue();
        assertThat(img.sigactions().get(9).handler()).isEqualTo(0x401136L);
        assertThat(img.sigactions().get(9).signal()).isEqualTo(10);
        assertThat(img.sigmask()).contains(1L << 9);
        assertThat(img.cwd()).contains("/tmp/some where");
        assertThat(img.rseq()).contains(new CkptImage.Rseq(0x7ffff7dd2fe0L, 32, 0x53053053));
        assertThat(img.tidAddress()).contains(0x7ffff7dd2a10L);
        assertThat(img.maps()).hasSize(4);
        CkptImage.MapEntry m = img.maps().get(0);
        assertThat(m.path()).isEqualTo("/usr/bin/prog");
        assertThat(m.perms()).isEqualTo("r--p");
        assertThat(m.size()).isEqualTo(16000);
        assertThat(m.mtimeNs()).isEqualTo(1700000000123456789L);
        assertThat(m.isFile()).isTrue();
        assertThat(img.maps().get(2).flags()).isEqualTo(CkptImage.MapEntry.GROWSDOWN);
        assertThat(img.maps().get(3).perms()).isEqualTo("rw-s");
        assertThat(img.maps().get(3).path()).isEmpty();
        assertThat(img.mapAt(0x555555560000L).orElseThrow().path()).isEqualTo("[heap]");
        assertThat(img.xstateSize()).contains(2688);
        assertThat(img.mm().orElseThrow().startBrk()).isEqualTo(0x555555559000L);
        assertThat(img.mm().orElseThrow().envEnd()).isEqualTo(4);
        assertThat(img.unknownTypes()).containsExactly(200);
    }

    void refused(String expected, byte[]... notes) throws IOException {
        Path p = coreWith(tmp, "bad", notes);
        CoreFile c = CoreFile.open(p); // the ELF layer is fine
        assertThatThrownBy(() -> CkptImage.of(c)).isInstanceOf(CoreFormatException.class)
                .hasMessageStartingWith(p + ": ").hasMessageContaining(expected).hasMessageNotContaining("\n");
    }

    @Test
    void refusesMalformedNotes() throws IOException {
        refused("version 2", CkptNotes.version(2, 1, 1));
        refused("CKPT_NT_VERSION note has 8 bytes", CkptNotes.note(CkptImage.NT_VERSION, new byte[8]));
        refused("more than one CKPT version", CkptNotes.version(1, 1, 1), CkptNotes.version(1, 1, 1));
        refused("CKPT_NT_SIGMASK note has 4 bytes", CkptNotes.note(CkptImage.NT_SIGMASK, new byte[4]));
        refused("CKPT_NT_SIGACTION note has 32 bytes", CkptNotes.note(CkptImage.NT_SIGACTION, new byte[32]));
        refused("CKPT_NT_CWD path is not NUL-terminated", CkptNotes.note(CkptImage.NT_CWD, "/tmp".getBytes()));
        refused("CKPT_NT_CWD note is empty", CkptNotes.note(CkptImage.NT_CWD, new byte[0]));
        refused("CKPT_NT_RSEQ note has 12 bytes", CkptNotes.note(CkptImage.NT_RSEQ, new byte[12]));
        refused("CKPT_NT_MM note has 80 bytes", CkptNotes.note(CkptImage.NT_MM, new byte[80]));
        refused("CKPT_NT_XSTATE note has 100 bytes", CkptNotes.note(CkptImage.NT_XSTATE, new byte[100]));
        refused("more than one CKPT note of type 4", CkptNotes.u64(CkptImage.NT_SIGMASK, 0),
                CkptNotes.u64(CkptImage.NT_SIGMASK, 0));

        byte[] rec = CkptNotes.fileRecord(3, 0, 0, 1, 0, 3, "/tmp/x");
        refused("CKPT_NT_FILES record 1 is truncated",
                CkptNotes.note(CkptImage.NT_FILES, CkptNotes.concat(rec, Arrays.copyOf(rec, 20))));
        byte[] longPath = rec.clone();
        longPath[28] = (byte) 0xf8; // path_len 248: past the end
        refused("path of 248 bytes runs past the end", CkptNotes.note(CkptImage.NT_FILES, longPath));
        byte[] oddPath = rec.clone();
        oddPath[28] = 7;
        refused("path_len 7 is not a multiple of 8", CkptNotes.note(CkptImage.NT_FILES, oddPath));
        byte[] hugePath = rec.clone();
        hugePath[28] = hugePath[29] = hugePath[30] = hugePath[31] = (byte) 0xf8; // 0xf8f8f8f8
        refused("runs past the end", CkptNotes.note(CkptImage.NT_FILES, hugePath));
        byte[] unterminated = rec.clone();
        Arrays.fill(unterminated, 32, unterminated.length, (byte) 'a');
        refused("CKPT_NT_FILES record 0 path is not NUL-terminated", CkptNotes.note(CkptImage.NT_FILES, unterminated));

        byte[] map = CkptNotes.mapRecord(0x2000, 0x1000, 0, 1, 0, 0, 0, 0, 0, "[heap]");
        refused("CKPT_NT_MAPS record 0 ends before it starts", CkptNotes.note(CkptImage.NT_MAPS, map));
        byte[] okMap = CkptNotes.mapRecord(0x1000, 0x2000, 0, 1, 0, 0, 0, 0, 0, "[heap]");
        refused("CKPT_NT_MAPS record 0 is truncated", CkptNotes.note(CkptImage.NT_MAPS, Arrays.copyOf(okMap, 71)));
    }

    @Test
    void unknownTypesAreIgnored() throws IOException {
        CkptImage img = image(coreWith(tmp, "unknown", CkptNotes.version(1, 1, 1), CkptNotes.note(1000, new byte[5])));
        assertThat(img.unknownTypes()).containsExactly(1000);
        assertThat(img.version().get().writerName()).isEqualTo("gdb");
    }

    /**
     * Real images from both writers, not from the test encoder: native-tests/state (open
     * files, handlers, mask, cwd) checkpointed by ckpt-save (the gdb script) and by
     * libsavefds.so, decoded and compared with what the program itself reported before
     * the checkpoint ("state: ready data=N ...") and with the executable on disk.
     */
    @Test
    void imagesFromBothWritersDecodeToTheProgramsState() throws Exception {
        Path prog = dev.ckpt.testing.Build.feature("state");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(prog), "the feature programs are not built");
        Path gdbDir = Files.createDirectory(tmp.resolve("gdb"));
        dev.ckpt.testing.Checkpoints.Taken cp = dev.ckpt.testing.Checkpoints.ckptSave(gdbDir, prog, "checkpoint_point",
                java.util.Map.of("TMPDIR", gdbDir.toString()), "img.state");
        checkState(image(cp.core()), cp.before(), prog, 1);

        Path lib = dev.ckpt.testing.Build.target().resolve("lib/libsavefds.so");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(lib), "libsavefds.so is not built");
        Path state = Files.createDirectory(tmp.resolve("savefds"));
        Path out = tmp.resolve("savefds.out");
        // gdb stops it at its checkpoint, queues SIGQUIT and detaches: the library's handler
        // writes core.PID in its cwd (gdb takes no part in the checkpoint itself)
        dev.ckpt.testing.Run gdb = dev.ckpt.testing.Run.of("gdb", "-nx", "-batch",
                "-ex", "set environment LD_PRELOAD " + lib, "-ex", "break checkpoint_point",
                "-ex", "run " + state + " > " + out + " 2>&1", "-ex", "delete", "-ex", "queue-signal SIGQUIT",
                "-ex", "detach", prog.toString()).dir(tmp).go();
        java.util.regex.Matcher pid = java.util.regex.Pattern.compile("process (\\d+)\\) detached").matcher(gdb.out);
        assertThat(pid.find()).as("%s", gdb).isTrue();
        Path core = state.resolve("core." + pid.group(1));
        long end = System.nanoTime() + 60_000_000_000L;
        while (ProcessHandle.of(Long.parseLong(pid.group(1))).map(ProcessHandle::isAlive).orElse(false)
                && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(core).as(Files.readString(out)).exists();
        checkState(image(core), Files.readString(out), prog, 2);
    }

    private static void checkState(CkptImage img, String before, Path prog, long writer) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("state: ready data=(\\d+) dup=(\\d+) log=(\\d+) "
                + "ro=(\\d+) pipe=(\\d+),(\\d+) null=(\\d+) dir=(\\d+) cwd=(\\S+)").matcher(before);
        assertThat(m.find()).as(before).isTrue();
        java.util.Map<Integer, CkptImage.OpenFile> fds = new java.util.HashMap<>();
        img.files().forEach(f -> fds.put(f.fd(), f));
        String dir = m.group(9);
        assertThat(img.version().orElseThrow().writer()).isEqualTo(writer);
        assertThat(img.version().orElseThrow().nthreads()).isEqualTo(1);
        assertThat(img.cwd()).contains(dir);
        CkptImage.OpenFile data = fds.get(Integer.parseInt(m.group(1)));
        CkptImage.OpenFile dup = fds.get(Integer.parseInt(m.group(2)));
        assertThat(data.path()).isEqualTo(dir + "/data.txt");
        assertThat(data.offset()).isEqualTo(7);
        assertThat(data.kind()).isEqualTo(CkptImage.OpenFile.REG);
        assertThat(dup.shareId()).isEqualTo(data.shareId()).isEqualTo(data.fd());
        assertThat(fds.get(Integer.parseInt(m.group(3))).flags() & 02000).as("O_APPEND").isNotZero();
        CkptImage.OpenFile ro = fds.get(Integer.parseInt(m.group(4)));
        assertThat(ro.offset()).isEqualTo(3);
        assertThat(ro.fdflags() & 1).as("FD_CLOEXEC").isEqualTo(1);
        assertThat(fds.get(Integer.parseInt(m.group(5))).kind()).isEqualTo(CkptImage.OpenFile.PIPE);
        assertThat(fds.get(Integer.parseInt(m.group(7))).kind()).isEqualTo(CkptImage.OpenFile.CHR);
        assertThat(fds.get(Integer.parseInt(m.group(8))).path()).isEqualTo(dir);
        CkptImage.SigAction usr1 = img.sigactions().get(10 - 1);
        assertThat(usr1.handler()).isGreaterThan(1);
        assertThat(usr1.flags() & 4).as("SA_SIGINFO").isEqualTo(4);
        assertThat(usr1.mask() & (1L << (15 - 1))).as("SIGTERM in the handler's mask").isNotZero();
        assertThat(img.sigactions().get(13 - 1).handler()).as("SIGPIPE ignored").isEqualTo(1);
        assertThat(img.sigmask().orElseThrow() & (1L << (12 - 1))).as("SIGUSR2 blocked").isNotZero();
        CkptImage.MapEntry exe = img.maps().stream().filter(x -> x.path().equals(prog.toString())).findFirst()
                .orElseThrow();
        assertThat(exe.size()).isEqualTo(Files.size(prog));
        assertThat(exe.mtimeNs()).isEqualTo(Files.getLastModifiedTime(prog).to(java.util.concurrent.TimeUnit.NANOSECONDS));
        CkptImage.MapEntry heap = img.maps().stream().filter(x -> x.path().equals("[heap]")).findFirst().orElseThrow();
        assertThat(img.mm().orElseThrow().startBrk()).isEqualTo(heap.start());
    }
}
