package dev.ckpt.differential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults while checkpointing, with the checkpoint writers that exist: gdb's
 * ckpt-save (what {@code ckpt dump --gdb} runs) and libsavefds.so (the native dumper:
 * {@link CkptDumpFaultsIT}). The program is the
 * seed's fprintf (20 numbers into a file, 100 ms apart). A failed checkpoint
 * must leave nothing at the final name (an older file there stays as it was)
 * and the program must go on and finish normally. File systems that fill up or
 * are read-only are small tmpfs mounts made by the test (skipped, with the
 * reason, where the test cannot mount).
 */
@Tag("faults")
class CheckpointFaultsIT extends FaultsFixture {
    /** fprintf with extra environment, coredump_filter 0x33 (what gcore writes depends on it). */
    private Process fprintf(Path cwd, Map<String, String> env) throws Exception {
        return fprintf(cwd, env, COREDUMP_FILTER_0X33);
    }

    private Run ckptSave(Process p, Path image, String then) throws Exception {
        return Run.of("gdb", "-nx", "-batch", "-p", Long.toString(p.pid()),
                        "-x", Build.basedir().resolve("gdb-scripts/ckpt.py").toString(),
                        "-ex", "ckpt-save " + image, "-ex", then)
                .timeout(Duration.ofSeconds(90)).go();
    }

    @Test
    void ckptSaveOntoAFullFileSystemLeavesTheOlderImageAndTheProgramRuns() throws Exception {
        Path full = tmpfs("full", "size=64k");
        Path image = Files.writeString(full.resolve("img"), "older image\n");
        Process p = fprintf(dir, Map.of());
        Run gdb = ckptSave(p, image, "detach");
        assertThat(gdb.err).as("%s", gdb).containsPattern("(?m)^ckpt-save: .+$").doesNotContain("ckpt-save: wrote");
        // regression: the message named a vanished temporary file, or a UnicodeDecodeError, not the reason
        assertThat(gdb.err).as("%s", gdb).containsPattern("(?m)^ckpt-save: " + java.util.regex.Pattern.quote(image.toString())
                + ": .*No space left on device");
        assertThat(image).hasContent("older image\n");
        assertThat(names(full)).as("no temporary file left").containsExactly("img");
        finishesNormally(p);
    }

    @Test
    void ckptSaveIntoAReadOnlyDirectoryWritesNothingAndTheProgramRuns() throws Exception {
        Path ro = tmpfs("ro", "ro,size=64k");
        Process p = fprintf(dir, Map.of());
        Run gdb = ckptSave(p, ro.resolve("img"), "detach");
        assertThat(gdb.err).as("%s", gdb).contains("ckpt-save: " + ro.resolve("img")
                + ": cannot create a temporary directory in " + ro + ": Read-only file system");
        assertThat(names(ro)).isEmpty();
        finishesNormally(p);
    }

    @Test
    void anExistingImageIsReplacedWholeNeverWrittenInPlace() throws Exception {
        Path image = Files.writeString(dir.resolve("img"), "older image\n");
        Path link = Files.createLink(dir.resolve("img.link"), image); // the older file's inode, to watch it
        Process p = fprintf(dir, Map.of());
        Run gdb = ckptSave(p, image, "kill");
        assertThat(gdb.out).as("%s", gdb).contains("ckpt-save: wrote " + image);
        assertThat(link).as("the older file was not written to").hasContent("older image\n");
        assertThat(Files.isSameFile(image, link)).as("a new file took the name").isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(image))).isEqualTo("rw-------");
        p.waitFor(30, TimeUnit.SECONDS);
        restartFinishes(image);
    }

    @Test
    void ckptSaveKilledMidWriteLeavesNoImageAndTheProgramCanGoOn() throws Exception {
        Process p = big(COREDUMP_FILTER_0X33);
        Path image = dir.resolve("img");
        Process gdb = start("gdb", dir, Map.of(), List.of(), "gdb", "-nx", "-batch", "-p", Long.toString(p.pid()),
                "-x", Build.basedir().resolve("gdb-scripts/ckpt.py").toString(), "-ex", "ckpt-save " + image,
                "-ex", "detach");
        long until = System.nanoTime() + 60_000_000_000L;
        Path writing = null;
        while (writing == null && System.nanoTime() < until && gdb.isAlive()) {
            try (Stream<Path> s = Files.walk(dir)) {
                writing = s.filter(f -> f.toString().contains(".ckpt-save-") && f.getFileName().toString().equals("core"))
                        .filter(f -> f.toFile().length() > 1_000_000).findFirst().orElse(null);
            }
            Thread.sleep(5);
        }
        assertThat(writing).as("gcore was caught writing").isNotNull();
        gdb.destroyForcibly(); // SIGKILL
        assertThat(gdb.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(image).as("nothing at the final name").doesNotExist();
        assertThat(p.isAlive()).as("the program outlives its checkpointer").isTrue();
        // the kernel detached it; it may still be stopped (gdb had stopped it): let it go on
        Run.of("kill", "-CONT", Long.toString(p.pid())).timeout(Duration.ofSeconds(10)).go();
        bigFinishesNormally(p);
    }

    @Test
    void libsavefdsOntoAFullFileSystemWritesNoCoreAndTheProgramRuns() throws Exception {
        Path full = tmpfs("full", "size=64k");
        Process p = fprintf(full, Map.of("LD_PRELOAD", Build.target().resolve("lib/libsavefds.so").toString(),
                "CKPT_SIGNAL", "USR1"));
        Run.of("kill", "-USR1", Long.toString(p.pid())).timeout(Duration.ofSeconds(10)).go();
        finishesNormally(p);
        assertThat(Files.readString(dir.resolve("fprintf.err")))
                .matches("libsavefds: checkpoint failed: [^\\n]*No space left on device\n");
        assertThat(names(full)).as("no core, no temporary file").noneMatch(n -> n.startsWith("core.") || n.startsWith("."));
    }

    /** Regression: libsavefds.so replaced filedescriptors before finding it could not write the core. */
    @Test
    void aFailedLibsavefdsCheckpointLeavesTheEarlierFiledescriptorsAsItWas() throws Exception {
        Path full = tmpfs("full2", "size=64k");
        String earlier = "3 : /earlier/checkpoint : 12 : 0100001\n";
        Files.writeString(full.resolve("filedescriptors"), earlier);
        Process p = fprintf(full, Map.of("LD_PRELOAD", Build.target().resolve("lib/libsavefds.so").toString(),
                "CKPT_SIGNAL", "USR1"));
        Run.of("kill", "-USR1", Long.toString(p.pid())).timeout(Duration.ofSeconds(10)).go();
        finishesNormally(p);
        assertThat(Files.readString(dir.resolve("fprintf.err"))).contains("checkpoint failed");
        assertThat(Files.readString(full.resolve("filedescriptors"))).isEqualTo(earlier);
    }

    @Test
    void restartWhileTheOriginalStillRunsBothFinishWithTheSameFile() throws Exception {
        Process p = fprintf(dir, Map.of());
        Thread.sleep(200);
        Path image = dir.resolve("img");
        Run gdb = ckptSave(p, image, "detach");
        assertThat(gdb.out).as("%s", gdb).contains("ckpt-save: wrote " + image);
        assertThat(p.isAlive()).as("the original still runs").isTrue();
        Run r = Run.of(Build.restart().toString(), "-n", "-w", image.toString()).dir(dir)
                .timeout(Duration.ofSeconds(60)).go();
        assertThat(r.exit).as("%s", r).isZero();
        // both wrote the same bytes at the same offsets, each through its own open file
        finishesNormally(p);
    }
}
