package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import dev.ckpt.testing.Run;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the native engine: each case is a one-line message on stderr that
 * names the file and the problem, exit status 2, nothing on stdout (the program
 * never ran) and no process left behind.
 */
class BadInputIT {

    @TempDir
    Path dir;

    Path prog;
    Path core;

    @BeforeEach
    void realCore() throws Exception {
        prog = dir.resolve("prog");
        compile(Build.basedir().resolve("examples/linklist.c"), prog);
        Path input = dir.resolve("input");
        Files.writeString(input, "50\n");
        core = Checkpoints.gdb(dir, prog, "29", 3, input, "core.good").core();
    }

    private static void compile(Path src, Path out) throws Exception {
        Run cc = Run.of("gcc", "-O0", "-g", "-o", out.toString(), src.toString()).go();
        assertThat(cc.exit).as("%s", cc).isZero();
    }

    private Run refused(Path bad, String... expected) throws Exception {
        Run r = Checkpoints.restart(dir, "-n", "-w", bad.toString());
        assertThat(r.exit).as("%s", r).isEqualTo(2);
        assertThat(r.out).as("nothing may run").isEmpty();
        assertThat(r.err.lines().count()).as("one line: %s", r.err).isEqualTo(1);
        assertThat(r.err).startsWith("restart: ").contains(bad.toString());
        for (String e : expected) {
            assertThat(r.err).contains(e);
        }
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.startsWith(dir.toString())).orElse(false)))
                .as("no process of the test's program may be left").isEmpty();
        return r;
    }

    private Path copy(String name) throws IOException {
        Path p = dir.resolve(name);
        Files.copy(core, p, StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    private static void poke(Path f, long off, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(off);
            raf.write(bytes);
        }
    }

    private static byte[] le(long v, int n) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        byte[] out = new byte[n];
        System.arraycopy(b.array(), 0, out, 0, n);
        return out;
    }

    /** Offset and size of the first program header of TYPE. */
    private static long[] phdr(Path f, int type) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            int base = (int) phoff + i * 56;
            if (b.getInt(base) == type) {
                return new long[] {b.getLong(base + 8), b.getLong(base + 32), base};
            }
        }
        throw new AssertionError("no phdr of type " + type);
    }

    private static void truncate(Path f, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    @Test
    void notElf() throws Exception {
        Path p = dir.resolve("notes.txt");
        Files.writeString(p, "this is not a core\n");
        refused(p, "not an ELF file");
    }

    @Test
    void emptyFile() throws Exception {
        Path p = dir.resolve("empty");
        Files.createFile(p);
        refused(p, "not an ELF file");
    }

    @Test
    void elfButNotACore() throws Exception {
        refused(prog, "not a core file");
    }

    @Test
    void thirtyTwoBit() throws Exception {
        Path p = copy("core.32");
        poke(p, 4, new byte[] {1});
        refused(p, "not a 64-bit ELF file");
    }

    @Test
    void bigEndian() throws Exception {
        Path p = copy("core.be");
        poke(p, 5, new byte[] {2});
        refused(p, "little-endian");
    }

    @Test
    void otherMachine() throws Exception {
        Path p = copy("core.arm");
        poke(p, 18, le(183, 2));   // EM_AARCH64
        refused(p, "another machine");
    }

    @Test
    void truncatedInTheNotes() throws Exception {
        Path p = copy("core.shortnotes");
        long[] note = phdr(p, 4);
        truncate(p, note[0] + note[1] / 2);
        refused(p, "truncated");
    }

    @Test
    void truncatedInASegment() throws Exception {
        Path p = copy("core.shortseg");
        long[] load = phdr(p, 1);
        truncate(p, load[0] + 100);
        refused(p, "past the end of the file");
    }

    @Test
    void absurdProgramHeaderCount() throws Exception {
        Path p = copy("core.phnum");
        poke(p, 56, le(0xfffe, 2));
        refused(p, "program headers");
    }

    @Test
    void programHeadersPastTheEnd() throws Exception {
        Path p = copy("core.phoff");
        poke(p, 32, le(Long.MAX_VALUE - 10, 8));
        refused(p, "program headers past the end");
    }

    @Test
    void absurdNoteSize() throws Exception {
        Path p = copy("core.notesize");
        long[] note = phdr(p, 4);
        poke(p, note[0] + 4, le(0xfffffff0L, 4));   // descsz of the first note
        refused(p, "note data runs past");
    }

    @Test
    void segmentLargerInFileThanInMemory() throws Exception {
        Path p = copy("core.filesz");
        long[] load = phdr(p, 1);
        poke(p, load[2] + 32, le(1L << 40, 8));     // p_filesz
        refused(p, "segment");
    }

    @Test
    void executableRebuiltSinceTheCheckpoint() throws Exception {
        Path changed = dir.resolve("linklist2.c");
        Files.writeString(changed, Files.readString(Build.basedir().resolve("examples/linklist.c"))
                + "\nint ckpt_rebuilt_with_a_change = 1;\n");
        compile(changed, dir.resolve("rebuilt"));
        Files.move(dir.resolve("rebuilt"), prog, StandardCopyOption.REPLACE_EXISTING);
        refused(core, prog.toString(), "is another build: build-id");
    }

    @Test
    void mappedFileMissing() throws Exception {
        Files.delete(prog);
        refused(core, prog.toString(), "No such file");
    }

    @Test
    void missingCoreFile() throws Exception {
        refused(dir.resolve("no-such-core"), "No such file");
    }
}
