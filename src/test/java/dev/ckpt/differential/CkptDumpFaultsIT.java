package dev.ckpt.differential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults of {@link CheckpointFaultsIT} with the native dumper ({@code ckpt dump},
 * target/bin/ckpt-dump): a full file system, a read-only one, an existing image, the
 * dumper killed mid-write. A failed checkpoint leaves nothing at the final name (an
 * older file there stays as it was) and the program goes on and finishes normally.
 */
@Tag("faults")
class CkptDumpFaultsIT {
    static final String NUMBERS = IntStream.rangeClosed(1, 20).mapToObj(i -> i + "\n").collect(Collectors.joining());

    @TempDir
    Path dir;

    final List<Process> started = new ArrayList<>();
    final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (Path m : mounts) {
            Run.of("umount", m.toString()).timeout(Duration.ofSeconds(30)).go();
        }
    }

    private Path tmpfs(String name, String options) throws Exception {
        Path m = Files.createDirectory(dir.resolve(name));
        Run r = Run.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", m.toString())
                .timeout(Duration.ofSeconds(30)).go();
        Assumptions.assumeTrue(r.exit == 0, "cannot mount a tmpfs here: " + r.err.trim());
        mounts.add(m);
        return m;
    }

    /** fprintf NUMBERS.TXT 20, 100 ms between numbers. */
    private Process fprintf() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Build.example("fprintf").toString(),
                dir.resolve("numbers.txt").toString(), "20")
                .directory(dir.toFile()).redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("fprintf.out").toFile()).redirectError(dir.resolve("fprintf.err").toFile());
        pb.environment().put("FPRINTF_DELAY_MS", "100");
        Process p = pb.start();
        started.add(p);
        Thread.sleep(300);
        assertThat(p.isAlive()).as("fprintf runs").isTrue();
        return p;
    }

    private static Run dump(Process p, Path image, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Build.target().resolve("bin/ckpt-dump").toString(),
                "--core", image.toString()));
        cmd.addAll(List.of(more));
        cmd.add(Long.toString(p.pid()));
        return Run.of(cmd.toArray(String[]::new)).timeout(Duration.ofSeconds(90)).go();
    }

    private void finishesNormally(Process p) throws Exception {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("fprintf ends").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("fprintf.err"))).isZero();
        assertThat(Files.readString(dir.resolve("numbers.txt"))).isEqualTo(NUMBERS);
    }

    private static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
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
        Run r = Run.of(Build.restart().toString(), "-n", "-w", image.toString()).dir(dir)
                .timeout(Duration.ofSeconds(60)).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(Files.readString(dir.resolve("numbers.txt"))).isEqualTo(NUMBERS);
    }

    @Test
    void killedMidWriteLeavesNoImageAndTheProgramGoesOn() throws Exception {
        // 400 MB of memory, so that the dump takes a while
        Path script = Files.writeString(dir.resolve("big.py"), String.join("\n",
                "import sys, time", "b = bytes(range(256)) * 1_600_000", "time.sleep(3)",
                "print('done', len(b))", ""));
        Process p = new ProcessBuilder("python3", script.toString()).directory(dir.toFile())
                .redirectInput(new File("/dev/null")).redirectOutput(dir.resolve("big.out").toFile())
                .redirectError(dir.resolve("big.err").toFile()).start();
        started.add(p);
        Thread.sleep(1000);
        assertThat(p.isAlive()).isTrue();
        Path image = dir.resolve("img");
        Process d = new ProcessBuilder(Build.target().resolve("bin/ckpt-dump").toString(), "--kill", "--core",
                image.toString(), Long.toString(p.pid())).redirectOutput(dir.resolve("dump.out").toFile())
                .redirectError(dir.resolve("dump.err").toFile()).start();
        started.add(d);
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
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("big.out"))).isEqualTo("done 409600000\n");
    }
}
