package dev.ckpt.differential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The faults of {@link CheckpointFaultsIT} with the native dumper ({@code ckpt dump},
 * target/bin/ckpt-dump): a full file system, a read-only one, an existing image, the
 * dumper killed mid-write. A failed checkpoint leaves nothing at the final name (an
 * older file there stays as it was) and the program goes on and finishes normally.
 */
@Tag("faults")
class CkptDumpFaultsIT extends FaultsFixture {
    /** fprintf as it is, no coredump_filter: the native dumper decides what it writes. */
    private Process fprintf() throws Exception {
        return fprintf(dir, Map.of(), List.of());
    }

    private static Run dump(Process p, Path image, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Build.target().resolve("bin/ckpt-dump").toString(),
                "--core", image.toString()));
        cmd.addAll(List.of(more));
        cmd.add(Long.toString(p.pid()));
        return Run.of(cmd.toArray(String[]::new)).timeout(Duration.ofSeconds(90)).go();
    }

    @Test
    void ontoAFullFileSystemLeavesTheOlderImageAndTheProgramRuns() throws Exception {
        Path full = tmpfs("full", "size=64k");
        Path image = Files.writeString(full.resolve("img"), "older image\n");
        Process p = fprintf();
        Run d = dump(p, image, "--kill");
        assertThat(d.exit).as("%s", d).isEqualTo(6);
        assertThat(d.err).as("%s", d).containsPattern("(?m)^ckpt dump: checkpoint "
                + java.util.regex.Pattern.quote(image.toString()) + ": .*No space left on device$");
        assertThat(image).hasContent("older image\n");
        assertThat(names(full)).as("no temporary file left").containsExactly("img");
        finishesNormally(p); // --kill, but the checkpoint failed: not killed
    }

    @Test
    void intoAReadOnlyDirectoryWritesNothingAndTheProgramRuns() throws Exception {
        Path ro = tmpfs("ro", "ro,size=64k");
        Process p = fprintf();
        Run d = dump(p, ro.resolve("img"), "--kill");
        assertThat(d.exit).as("%s", d).isEqualTo(6);
        assertThat(d.err).isEqualTo("ckpt dump: checkpoint " + ro.resolve("img") + ": Read-only file system\n");
        assertThat(names(ro)).isEmpty();
        finishesNormally(p);
    }

    @Test
    void anExistingImageIsReplacedWholeNeverWrittenInPlace() throws Exception {
        Path image = Files.writeString(dir.resolve("img"), "older image\n");
        Path link = Files.createLink(dir.resolve("img.link"), image);
        Process p = fprintf();
        Run d = dump(p, image, "--kill");
        assertThat(d.exit).as("%s", d).isZero();
        assertThat(link).as("the older file was not written to").hasContent("older image\n");
        assertThat(Files.isSameFile(image, link)).as("a new file took the name").isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(image))).isEqualTo("rw-------");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(128 + 9);
        restartFinishes(image);
    }

    @Test
    void killedMidWriteLeavesNoImageAndTheProgramGoesOn() throws Exception {
        Process p = big(List.of());
        Path image = dir.resolve("img");
        Process d = start("dump", dir, Map.of(), List.of(), Build.target().resolve("bin/ckpt-dump").toString(),
                "--kill", "--core", image.toString(), Long.toString(p.pid()));
        long until = System.nanoTime() + 60_000_000_000L;
        Path writing = null;
        while (writing == null && System.nanoTime() < until && d.isAlive()) {
            try (Stream<Path> s = Files.list(dir)) {
                writing = s.filter(f -> f.getFileName().toString().startsWith(".img.tmp."))
                        .filter(f -> f.toFile().length() > 1_000_000).findFirst().orElse(null);
            }
        }
        assertThat(writing).as("ckpt-dump was caught writing").isNotNull();
        d.destroyForcibly(); // SIGKILL
        assertThat(d.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(image).as("nothing at the final name").doesNotExist();
        assertThat(p.isAlive()).as("the program outlives its checkpointer (--kill never came)").isTrue();
        bigFinishesNormally(p);
    }
}
