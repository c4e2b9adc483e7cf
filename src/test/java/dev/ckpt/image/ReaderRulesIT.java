package dev.ckpt.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.Note;
import dev.ckpt.core.TestCores;
import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules of docs/IMAGE-FORMAT.md ("Readers"), case by case, in both readers: the C
 * reader (native/core/corefile.c, through {@code restart --check}: exit 2 is a refusal)
 * and the Java reader ({@link CoreFile}, {@link CkptImage}). Each case must get the same
 * answer from both.
 */
class ReaderRulesIT {
    @TempDir
    Path tmp;

    /** The shared gdb core, shrunk, with its notes passed through {@code edit}. */
    Path core(String name, UnaryOperator<List<byte[]>> edit) throws IOException {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        Path p = tmp.resolve(name);
        Files.write(p, TestCores.shrink(c, edit.apply(new ArrayList<>(TestCores.rawNotes(c))), 4096));
        return p;
    }

    Path withCkpt(String name, byte[]... notes) throws IOException {
        return core(name, l -> {
            l.addAll(Arrays.asList(notes));
            return l;
        });
    }

    /** null when Java reads it, else its one-line reason. */
    static String java(Path p) {
        try {
            CkptImage.of(CoreFile.open(p));
            return null;
        } catch (CoreFormatException e) {
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** null when the engine reads it, else its one-line reason. */
    static String c(Path p) throws Exception {
        Run r = Run.of(Build.restart().toString(), "--check", "--json", p.toString()).go();
        if (r.exit != 2) {
            assertThat(r.out).as("%s", r).startsWith("{\"core\":");
            return null;
        }
        assertThat(r.err.lines()).as("%s", r).hasSize(1);
        return r.err;
    }

    void accepted(Path p) throws Exception {
        assertThat(java(p)).as("Java reader").isNull();
        assertThat(c(p)).as("C reader").isNull();
    }

    void refused(Path p, String javaSays, String cSays) throws Exception {
        assertThat(java(p)).as("Java reader").isNotNull().contains(javaSays);
        assertThat(c(p)).as("C reader").isNotNull().contains(cSays);
    }

    @Test
    void pnXnum_accepted() throws Exception {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        byte[] small = TestCores.shrink(c, TestCores.rawNotes(c), 4096);
        ByteBuffer b = ByteBuffer.allocate(small.length + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(small);
        int phnum = b.getShort(56) & 0xffff;
        b.putInt(small.length + 44, phnum); // section header 0: sh_info is the real count
        b.putLong(40, small.length).putShort(58, (short) 64).putShort(60, (short) 1).putShort(56, (short) 0xffff);
        Path p = tmp.resolve("xnum");
        Files.write(p, b.array());
        accepted(p);
        Run r = Run.of(Build.restart().toString(), "--check", p.toString()).go();
        assertThat(r.exit).as("%s", r).isZero(); // read whole: the same verdict as the plain core
    }

    @Test
    void ckptNoteLargerThanTheStruct_accepted_smaller_refused() throws Exception {
        accepted(withCkpt("rseq-larger", CkptNotes.note(CkptImage.NT_RSEQ, bytes(24, 0x7000, 0x5305305300000020L))));
        accepted(withCkpt("version-larger", CkptNotes.note(CkptImage.NT_VERSION, bytes(24, 0x100000001L, 1))));
        accepted(withCkpt("mm-larger", CkptNotes.note(CkptImage.NT_MM, new byte[96])));
        refused(withCkpt("rseq-smaller", CkptNotes.note(CkptImage.NT_RSEQ, new byte[12])),
                "CKPT_NT_RSEQ note has 12 bytes", "CKPT RSEQ note too short (12 bytes)");
        refused(withCkpt("mm-smaller", CkptNotes.note(CkptImage.NT_MM, new byte[80])),
                "CKPT_NT_MM note has 80 bytes", "CKPT MM note too short (80 bytes)");
    }

    /** One struct ckpt_kobj record (fd 7, counter 5) of TYPE with DATA after it, padded to 8. */
    static byte[] kobj(int type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(KobjNote.SIZE + (data.length + 7) / 8 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(7).putInt(type).putLong(0).putLong(5).putLong(0).putLong(0).putInt(0).putInt(data.length).put(data);
        return b.array();
    }

    @Test
    void kobjRecords_knownAccepted_unknownTypeOrTruncated_refused() throws Exception {
        accepted(withCkpt("kobj-eventfd", CkptNotes.note(CkptImage.NT_KOBJ, kobj(KobjNote.EVENTFD, new byte[0]))));
        accepted(withCkpt("kobj-pipe", CkptNotes.note(CkptImage.NT_KOBJ, kobj(KobjNote.PIPE, new byte[] {1, 2, 3}))));
        refused(withCkpt("kobj-type-99", CkptNotes.note(CkptImage.NT_KOBJ, kobj(99, new byte[0]))),
                "record of fd 7 has type 99, unknown here (a newer ckpt wrote it)",
                "CKPT KOBJ record of fd 7 has type 99, unknown here (a newer ckpt wrote it)");
        byte[] cut = Arrays.copyOf(kobj(KobjNote.PIPE, new byte[] {1, 2, 3}), KobjNote.SIZE + 4);
        refused(withCkpt("kobj-cut", CkptNotes.note(CkptImage.NT_KOBJ, cut)), "runs past the note",
                "CKPT KOBJ note has a malformed record at byte 0");
    }

    /** Little-endian u64 words, zero-padded to SIZE bytes. */
    static byte[] bytes(int size, long... words) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        return b.array();
    }

    Path prstatus(String name, int size) throws IOException {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        return core(name, l -> {
            for (int i = 0; i < c.notes().size(); i++) {
                Note n = c.notes().get(i);
                if (n.owner().equals("CORE") && n.type() == Note.NT_PRSTATUS) {
                    byte[] desc;
                    try {
                        desc = Arrays.copyOf(n.desc().bytes(0, n.size()), size);
                    } catch (CoreFormatException e) {
                        throw new AssertionError(e);
                    }
                    l.set(i, TestCores.note("CORE", Note.NT_PRSTATUS, desc));
                }
            }
            return l;
        });
    }

    @Test
    void prstatusLarger_accepted_smaller_refused() throws Exception {
        accepted(prstatus("prstatus-344", 344));
        refused(prstatus("prstatus-328", 328), "NT_PRSTATUS note has 328 bytes", "NT_PRSTATUS note too short (328 bytes)");
    }

    @Test
    void duplicateCkptNote_refused() throws Exception {
        refused(withCkpt("two-sigmasks", CkptNotes.u64(CkptImage.NT_SIGMASK, 0), CkptNotes.u64(CkptImage.NT_SIGMASK, 1)),
                "more than one CKPT note of type 4", "more than one CKPT note of type 4");
        refused(withCkpt("two-versions", CkptNotes.version(1, 1, 1), CkptNotes.version(1, 1, 1)),
                "more than one CKPT version note", "more than one CKPT note of type 1");
    }

    @Test
    void newerVersion_refused_unknownType_ignored() throws Exception {
        refused(withCkpt("v2", CkptNotes.version(2, 1, 1)), "CKPT image version 2", "CKPT image version 2 not supported");
        accepted(withCkpt("unknown", CkptNotes.version(1, 1, 1), CkptNotes.note(1000, new byte[5])));
    }

    /** Types 1-127 must be understood: one this reader does not know means a newer ckpt wrote
     * state it cannot restore, so it refuses; 128 and up are informational and ignored; ORIGIN
     * (16) is known everywhere. */
    @Test
    void unknownNeededType_refused_unknownInformationalType_ignored() throws Exception {
        refused(withCkpt("type-127", CkptNotes.version(1, 1, 1), CkptNotes.note(127, new byte[8])),
                "CKPT note type 127 is unknown to this reader: a newer ckpt wrote the image",
                "CKPT note type 127 is unknown to this reader: a newer ckpt wrote the image");
        refused(withCkpt("type-15", CkptNotes.version(1, 1, 1), CkptNotes.note(15, new byte[8])),
                "CKPT note type 15 is unknown", "CKPT note type 15 is unknown");
        accepted(withCkpt("type-128", CkptNotes.version(1, 1, 1), CkptNotes.note(128, new byte[8])));
        accepted(withCkpt("origin", CkptNotes.version(1, 1, 1),
                CkptNotes.note(CkptImage.NT_ORIGIN, bytes(24, 3, 8, 0x6e69616dL))));
    }

    @Test
    void attrsNotes_shorterRefused_oddThreadRecordsRefused() throws Exception {
        accepted(withCkpt("attrs", CkptNotes.version(1, 1, 1), CkptNotes.note(CkptImage.NT_ATTRS, new byte[CkptImage.ATTRS_SIZE]),
                CkptNotes.note(CkptImage.NT_THREAD_ATTRS, new byte[2 * CkptImage.THREAD_ATTRS_SIZE])));
        refused(withCkpt("attrs-short", CkptNotes.version(1, 1, 1), CkptNotes.note(CkptImage.NT_ATTRS, new byte[456])),
                "CKPT_NT_ATTRS note has 456 bytes", "CKPT ATTRS note too short (456 bytes)");
        refused(withCkpt("tattrs-odd", CkptNotes.version(1, 1, 1), CkptNotes.note(CkptImage.NT_THREAD_ATTRS, new byte[40])),
                "CKPT_NT_THREAD_ATTRS note has 40 bytes", "CKPT THREAD_ATTRS note has 40 bytes");
        refused(withCkpt("timers-odd", CkptNotes.version(1, 1, 1), CkptNotes.note(CkptImage.NT_POSIX_TIMERS, new byte[50])),
                "CKPT_NT_POSIX_TIMERS note has 50 bytes", "CKPT POSIX_TIMERS note has 50 bytes");
    }

    /**
     * The gdb script's writer past 65534 program headers: a core with 65534 (the most
     * e_phnum holds) gets its note segment, e_phnum becomes PN_XNUM with the count in
     * section header 0, and both readers read the result and its VERSION note.
     */
    @Test
    void pythonWriterGoesPastPnXnum() throws Exception {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        byte[] small = TestCores.shrink(c, TestCores.rawNotes(c), 4096);
        ByteBuffer in = ByteBuffer.wrap(small).order(ByteOrder.LITTLE_ENDIAN);
        int phnum = in.getShort(56) & 0xffff;
        long phoff = in.getLong(32);
        int count = 0xfffe;
        int table = (small.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(table + count * 56).order(ByteOrder.LITTLE_ENDIAN);
        b.put(small);
        // the same program headers at the end of the file, then PT_NULL entries up to 65534
        b.put(table, small, (int) phoff, phnum * 56);
        b.putLong(32, table).putShort(56, (short) count).putLong(40, 0).putShort(60, (short) 0).putShort(62, (short) 0);
        Path p = tmp.resolve("many");
        Files.write(p, b.array());
        accepted(p);
        Path script = ImageLayoutIT.ckptPy();
        try {
            Run r = Run.of("python3", script.toString(), "append", Build.basedir().resolve("gdb-scripts/ckpt.py").toString(),
                    p.toString()).go();
            assertThat(r.exit).as("%s", r).isZero();
        } finally {
            Files.deleteIfExists(script);
        }
        CoreFile x = CoreFile.open(p);
        assertThat(x.header().phnum()).isEqualTo(count + 1);
        assertThat(CkptImage.of(x).version()).isPresent();
        accepted(p);
    }
}
