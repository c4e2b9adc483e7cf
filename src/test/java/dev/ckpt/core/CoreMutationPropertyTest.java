package dev.ckpt.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.cli.CoreReport;
import dev.ckpt.image.CkptImage;
import dev.ckpt.image.CkptNotes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Real cores (from gdb and from the kernel, shrunk to their headers and notes plus a
 * little content, one with CKPT notes added) mutated at random: bytes flipped, words set
 * to extreme values, truncated, spliced. The reader, the CKPT decoder and the report
 * behind {@code ckpt inspect} either accept the result or throw {@link CoreFormatException}
 * with a one-line message; any other exception fails.
 */
class CoreMutationPropertyTest {

    private static List<byte[]> bases;
    private static int[] structEnd; // end of ELF header + phdrs + notes of each base

    static synchronized List<byte[]> bases() {
        if (bases == null) {
            try {
                CoreFile gdb = CoreFile.open(TestCores.sharedGdbLinklist());
                CoreFile kernel = CoreFile.open(TestCores.sharedKernelHeap().core());
                List<byte[]> gdbNotes = new ArrayList<>(TestCores.rawNotes(gdb));
                // leave out gdb's 13 KiB XML target description: it is only text
                gdbNotes.removeIf(n -> n.length > 8000);
                List<byte[]> noted = new ArrayList<>(TestCores.rawNotes(kernel));
                noted.add(CkptNotes.version(1, 1, 1));
                noted.add(CkptNotes.note(CkptImage.NT_FILES, CkptNotes.concat(
                        CkptNotes.fileRecord(0, 2, 0, 2, 0, 0, "/dev/null"),
                        CkptNotes.fileRecord(3, 0101, 77, 1, 1, 3, "/etc/hostname"))));
                noted.add(CkptNotes.cwd("/tmp"));
                noted.add(CkptNotes.u64(CkptImage.NT_SIGMASK, 5));
                noted.add(CkptNotes.rseq(0x1000, 32, 0x53053053));
                noted.add(CkptNotes.note(CkptImage.NT_MAPS, CkptNotes.concat(
                        CkptNotes.mapRecord(0x1000, 0x2000, 0, 5, 0, 0x801, 12, 4096, 1, "/etc/hostname"),
                        CkptNotes.mapRecord(0x3000, 0x5000, 0, 3, 0, 0, 0, 0, 0, "[heap]"))));
                noted.add(CkptNotes.sigactions(0, 1, 0x401000));
                noted.add(CkptNotes.mm(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
                bases = List.of(TestCores.shrink(gdb, gdbNotes, 256), TestCores.shrink(kernel, TestCores.rawNotes(kernel), 256),
                        TestCores.shrink(kernel, noted, 64));
                structEnd = new int[bases.size()];
                for (int i = 0; i < bases.size(); i++) {
                    ByteBuffer b = ByteBuffer.wrap(bases.get(i)).order(ByteOrder.LITTLE_ENDIAN);
                    structEnd[i] = (int) (b.getLong(64 + 8) + b.getLong(64 + 32)); // the PT_NOTE's end
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bases;
    }

    private static final long[] WORDS = {0, 1, 3, 4, 0x38, 0x40, 0x7f, 0xff, 0xffff, 0x7fffffffL, 0x80000000L,
        0xfffffffcL, 0xfffffffdL, 0xfffffffeL, 0xffffffffL};
    private static final long[] LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, (1L << 32) - 1, 0x1000,
        0xffffffffff600000L, -4096, 1L << 62};

    /** Applies 1-4 random mutations from {@code seed} to a copy of a base; describes them in {@code log}. */
    static byte[] mutate(int baseIndex, long seed, StringBuilder log) {
        byte[] b = bases().get(baseIndex).clone();
        int hot = structEnd[baseIndex];
        Random r = new Random(seed);
        int ops = 1 + r.nextInt(4);
        for (int k = 0; k < ops && b.length > 0; k++) {
            int pos = r.nextInt(10) < 8 ? r.nextInt(Math.min(hot, b.length)) : r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> {
                    byte v = (byte) r.nextInt(256);
                    log.append(String.format("byte[%d]=0x%02x; ", pos, v));
                    b[pos] = v;
                }
                case 1 -> {
                    int p = pos & ~3;
                    long v = r.nextInt(4) == 0 ? r.nextInt() & 0xffffffffL : WORDS[r.nextInt(WORDS.length)];
                    if (p + 4 <= b.length) {
                        log.append(String.format("u32[%d]=0x%x; ", p, v));
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(p, (int) v);
                    }
                }
                case 2 -> {
                    int p = pos & ~7;
                    long v = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(4) == 0 ? b.length + r.nextInt(64) - 32
                            : LONGS[r.nextInt(LONGS.length)];
                    if (p + 8 <= b.length) {
                        log.append(String.format("u64[%d]=0x%x; ", p, v));
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(p, v);
                    }
                }
                case 3 -> {
                    log.append("truncate to ").append(pos).append("; ");
                    b = Arrays.copyOf(b, pos);
                }
                case 4 -> {
                    int from = r.nextInt(b.length);
                    int len = Math.min(1 + r.nextInt(64), Math.min(b.length - from, b.length - pos));
                    log.append(String.format("copy %d bytes %d->%d; ", len, from, pos));
                    System.arraycopy(b, from, b, pos, len);
                }
                default -> {
                    // splice a piece of another base in (headers and notes of a different core)
                    byte[] other = bases().get(r.nextInt(bases().size()));
                    int from = r.nextInt(other.length);
                    int len = Math.min(1 + r.nextInt(128), Math.min(other.length - from, b.length - pos));
                    log.append(String.format("splice %d bytes of another core %d->%d; ", len, from, pos));
                    System.arraycopy(other, from, b, pos, len);
                }
            }
        }
        return b;
    }

    @Provide
    Arbitrary<Integer> base() {
        return Arbitraries.integers().between(0, 2);
    }

    private static int parsed;
    private static int refused;

    /** The in-memory reader: the same parser as for files, fast enough for 10,000 cases. */
    @Property(tries = 10_000, shrinking = ShrinkingMode.OFF)
    void parsesOrRefusesWithItsOwnException(@ForAll("base") int base, @ForAll long seed) throws IOException {
        StringBuilder log = new StringBuilder();
        byte[] bytes = mutate(base, seed, log);
        Path p = Path.of("/mutant/core");
        try {
            CoreFile c = CoreFile.fromBytes(p, bytes);
            CkptImage img = CkptImage.of(c);
            CoreReport r = CoreReport.build(c, img);
            assertThat(r.threads()).isNotEmpty();
            parsed++;
        } catch (CoreFormatException e) {
            assertThat(e.getMessage()).as(log.toString()).startsWith(p + ": ").doesNotContain("\n");
            assertThat(e.problem()).as(log.toString()).isNotBlank();
            refused++;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("base " + base + ", mutations: " + log + "-> " + e, e);
        }
    }

    @AfterProperty
    void bothOutcomesHappen() {
        // a mutator that never gets past the header (or never breaks anything) would test little
        if (parsed + refused >= 10_000) {
            assertThat(parsed).isGreaterThan(1000);
            assertThat(refused).isGreaterThan(1000);
        }
    }

    /** The same through real files and mappings (fewer cases: each is a file and a few mmaps). */
    @Property(tries = 1_000, shrinking = ShrinkingMode.OFF)
    void mappedFilesToo(@ForAll("base") int base, @ForAll long seed) throws IOException {
        StringBuilder log = new StringBuilder();
        byte[] bytes = mutate(base, seed, log);
        Path dir = TestCores.sharedDir().resolve("mutants");
        Files.createDirectories(dir);
        // a fresh file each time: mappings of earlier cases keep their own inode
        Path p = dir.resolve("core");
        Files.deleteIfExists(p);
        Files.write(p, bytes);
        try {
            CoreFile c = CoreFile.open(p);
            CoreReport.build(c, CkptImage.of(c));
        } catch (CoreFormatException e) {
            assertThat(e.getMessage()).as(log.toString()).startsWith(p + ": ").doesNotContain("\n");
        } catch (RuntimeException | IOException | Error e) {
            throw new AssertionError("base " + base + ", mutations: " + log + "-> " + e, e);
        }
    }

    @Property(tries = 50)
    void unmutatedBasesParse(@ForAll("base") int base) throws IOException {
        Path p = TestCores.sharedDir().resolve("base" + base);
        Files.write(p, bases().get(base));
        CoreFile c = CoreFile.open(p);
        assertThat(CkptImage.of(c).present()).isEqualTo(base == 2);
    }
}
