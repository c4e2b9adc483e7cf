package dev.ckpt.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Child;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * native/tests/files.c with several files open (one read half-way, one
 * written, one O_APPEND, two descriptors dup'd from one open file),
 * checkpointed by SIGQUIT under libsavefds.so and restarted: the same outputs
 * as an uninterrupted run, also when the saved file list is edited to point at
 * a moved file; a deleted file stops the restart with a clear error.
 */
class FilesIT extends ChildTracking {
    static final Duration LIMIT = Duration.ofSeconds(30);
    static final List<String> OUTPUTS = List.of("out.txt", "log.txt", "shared.txt", "in.txt");

    @TempDir
    Path plain;


    static String program() {
        return Child.nativeTest("files").toString();
    }

    /** The uninterrupted run, in its own directory. */
    void runPlain() throws Exception {
        Child p = track(Child.start(plain, Map.of(), List.of(program())));
        p.awaitOut("ready\n", LIMIT);
        p.write("\n");
        assertThat(p.waitFor(LIMIT)).as(p.out()).isZero();
        assertThat(p.out()).isEqualTo("ready\nPASS files\n");
    }

    /** The same program under libsavefds.so, checkpointed by SIGQUIT while it waits on stdin. */
    Path checkpoint() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of(), List.of(program())));
        p.awaitOut("ready\n", LIMIT);
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).as(p.err()).isEqualTo(131);
        return dir.resolve("core." + p.pid());
    }

    /** restart OPTIONS files CORE, feeding the byte the program waits for. */
    Child restart(Path core, String... options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Child.restart().toString());
        cmd.addAll(List.of(options));
        cmd.add(program());
        cmd.add(core.getFileName().toString());
        Child r = track(Child.start(dir, Map.of(), cmd));
        try {
            r.write("\n");
            r.closeStdin();
        } catch (IOException e) {
            // restart refused to run (bad input): it reads nothing
        }
        return r;
    }

    void assertSameOutputs(Path a, Path b) throws Exception {
        for (String f : OUTPUTS) {
            assertThat(Child.read(a.resolve(f))).as(f).isEqualTo(Child.read(b.resolve(f)));
        }
    }

    @Test
    void checkpointedAndRestartedEndsLikeAnUninterruptedRun() throws Exception {
        runPlain();
        Path core = checkpoint();
        String fds = Child.read(dir.resolve("filedescriptors"));
        Path real = dir.toRealPath();
        assertThat(fds).contains(
                "3 : " + real.resolve("in.txt") + " : 350 : 0100000\n",
                "4 : " + real.resolve("out.txt") + " : 600 : 0100001\n",
                "5 : " + real.resolve("log.txt") + " : 41 : 0102001\n",
                "6 : " + real.resolve("shared.txt") + " : 6 : 02100002\n", // O_CLOEXEC from fdinfo
                "7 : " + real.resolve("shared.txt") + " : 6 : 0100002\n");

        Child r = restart(core, "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("PASS files\n");
        assertSameOutputs(plain, dir);
    }

    /*
     * The two tests below restart from the text file (-f). It has no sharing, and
     * docs/IMAGE-FORMAT.md section 7 says the text file replaces the core's FILES
     * note entirely, so fds 6 and 7 (dup'd) come back as two separate opens of
     * shared.txt: files.c then reports "fds 6 and 7 do not share their offset"
     * and the second half overwrites itself in shared.txt. They pass once restart
     * -f takes share ids (matched by fd) from the core's FILES note.
     */
    @Test
    void filedescriptorsFileWorksLikeTheNotes() throws Exception {
        runPlain();
        Path core = checkpoint();
        Child r = restart(core, "-f", "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("PASS files\n");
        assertSameOutputs(plain, dir);
    }

    @Test
    void editedFiledescriptorsFollowsAMovedFile() throws Exception {
        runPlain();
        Path core = checkpoint();
        Path moved = Files.createDirectory(dir.resolve("moved")).resolve("input-moved.txt");
        Path in = dir.toRealPath().resolve("in.txt");
        Files.move(in, moved);
        Path fds = dir.resolve("filedescriptors");
        String edited = Child.read(fds).replace(" " + in + " : ", " " + moved.toRealPath() + " : ");
        assertThat(edited).contains("input-moved.txt : 350 : ");
        Files.writeString(fds, edited);

        Child r = restart(core, "-f", "-n", "-w");
        assertThat(r.waitFor(LIMIT)).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("PASS files\n");
        Files.move(moved, in);
        assertSameOutputs(plain, dir);
    }

    @Test
    void deletedFileIsAClearErrorWithFilesOption() throws Exception {
        deletedFileIsAClearError(true);
    }

    @Test
    void deletedFileIsAClearErrorFromTheNotes() throws Exception {
        deletedFileIsAClearError(false);
    }

    void deletedFileIsAClearError(boolean textFile) throws Exception {
        Path core = checkpoint();
        Path in = dir.toRealPath().resolve("in.txt");
        Files.delete(in);
        String outBefore = Child.read(dir.resolve("out.txt"));

        Child r = textFile ? restart(core, "-f", "-n", "-w") : restart(core, "-n", "-w");
        assertThat(r.waitFor(LIMIT)).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("restart: ").contains(in.toString()).endsWith("\n");
        assertThat(r.err().lines()).hasSize(1);
        // nothing ran: the outputs are as the checkpoint left them
        assertThat(Child.read(dir.resolve("out.txt"))).isEqualTo(outBefore);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(core.getFileName().toString(), "filedescriptors", "out.txt",
                            "log.txt", "shared.txt");
        }
    }
}
