package dev.ckpt.preload;

import dev.ckpt.testing.Child;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native dumper (target/bin/ckpt-dump, what {@code ckpt dump} runs) on the
 * self-checking feature programs, restarted by the native engine: each must print PASS.
 *
 * <p>gdb runs the program to its checkpoint point and detaches with SIGSTOP queued,
 * so the program stops exactly there (as the differential suite stops its programs);
 * gdb stays alive, waiting on its stdin (were it to exit, the stopped program's
 * process group would be orphaned and the kernel would end it with SIGHUP).
 * {@code ckpt-dump --kill} then writes the image and kills the program, so PASS can
 * only come from the restored process: the original never got past the checkpoint
 * point. files.c is dumped where it waits for a byte on stdin, no gdb involved.
 */
class NativeDumpIT extends ChildTracking {
    static final Duration LIMIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0} through ckpt-dump")
    @ValueSource(strings = {"workerzmm", "mthreads", "sighandler", "sigmask", "avx512", "avx", "rseq",
            "tls", "vdso", "heap", "mmapfile", "dlopen", "cwd", "state", "static", "nopie", "opath",
            "pipes", "eventfd", "signalfd", "timerfd", "pipeaway", "epoll", "socketpair",
            "memfd", "deleted", "deletedmap", "pidfd", "fifo",
            "attrs", "sharedro", "aio", "posixtimers", "madvise", "vanish"})
    void featureProgram(String name) throws Exception {
        Feature f = Feature.in(dir, name);
        Child gdb = track(Child.start(dir, f.env(), f.gdbToPoint(List.of("-q"), List.of(), "SIGSTOP")));
        Pattern detached = Pattern.compile("\\[Inferior 1 \\(process (\\d+)\\) detached]");
        long end = System.nanoTime() + LIMIT.toNanos();
        Matcher m = detached.matcher(gdb.out());
        while (!m.find() && System.nanoTime() < end) {
            Thread.sleep(20);
            m = detached.matcher(gdb.out());
        }
        assertThat(m.find(0)).as(gdb.out() + gdb.err()).isTrue();
        long pid = Long.parseLong(m.group(1));
        awaitStopped(pid);

        Path core = dir.resolve("image");
        Child dump = track(Child.start(dir, Map.of(), List.of(Child.target().resolve("bin/ckpt-dump").toString(),
                "--kill", "--core", core.toString(), Long.toString(pid))));
        assertThat(dump.waitFor(LIMIT)).as(dump.err()).isZero();
        assertThat(dump.err()).contains("ckpt dump: killed process " + pid);
        assertThat(Files.getPosixFilePermissions(core)).isEqualTo(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp."));
        }
        gdb.closeStdin();
        assertThat(gdb.waitFor(LIMIT)).as(gdb.out() + gdb.err()).isZero();
        String before = Child.read(dir.resolve("before.out"));
        assertThat(before).doesNotContain("FAIL").doesNotContain("PASS");
        assertThat(gone(pid)).as("process %d after --kill", pid).isTrue();

        Child r = restartPasses(f, core, LIMIT, "-V");
        if (name.equals("pipes")) { // the fork server would share the pipes between its copies: refused
            Child fs = track(Child.start(dir, f.env(), List.of(Child.restart().toString(), "--fork-server",
                    f.program().toString(), core.toString())));
            fs.closeStdin();
            assertThat(fs.waitFor(LIMIT)).as(fs.out() + fs.err()).isEqualTo(3);
            assertThat(fs.out()).startsWith("unsupported " + core).contains("kernel objects behind descriptors");
        }
        if (name.equals("pipeaway")) { // the descriptor left closed is named, with its pipe
            Matcher fd = Pattern.compile("write end (\\d+)").matcher(before);
            assertThat(fd.find()).as(before).isTrue();
            assertThat(r.err()).containsPattern("restart: fd " + fd.group(1)
                    + " \\(pipe:\\[\\d+]\\): a pipe to another process; left closed");
        }
    }

    /** files.c: open files (read half-way, written, O_APPEND, dup'd) come back with their offsets. */
    @Test
    void openFiles() throws Exception {
        Path plain = Files.createDirectory(dir.resolve("plain"));
        Path work = Files.createDirectory(dir.resolve("work"));
        String program = Child.nativeTest("files").toString();
        Child u = track(Child.start(plain, Map.of(), List.of(program)));
        u.awaitOut("ready\n", LIMIT);
        u.write("\n");
        assertThat(u.waitFor(LIMIT)).as(u.out()).isZero();

        Child p = track(Child.start(work, Map.of(), List.of(program)));
        p.awaitOut("ready\n", LIMIT);
        Child dump = track(Child.start(work, Map.of(), List.of(Child.target().resolve("bin/ckpt-dump").toString(),
                "--kill", "--core", "image", Long.toString(p.pid()))));
        assertThat(dump.waitFor(LIMIT)).as(dump.err()).isZero();
        assertThat(p.waitFor(LIMIT)).isEqualTo(128 + 9);
        assertThat(p.out()).isEqualTo("ready\n");

        Child r = track(Child.start(work, Map.of(), List.of(Child.restart().toString(), "-n", "-w", program, "image")));
        r.write("\n");
        r.closeStdin();
        assertThat(r.waitFor(LIMIT)).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("PASS files\n");
        for (String f : List.of("out.txt", "log.txt", "shared.txt", "in.txt")) {
            assertThat(Child.read(work.resolve(f))).as(f).isEqualTo(Child.read(plain.resolve(f)));
        }
    }

    /** Whether PID has ended (gone, or a zombie nobody reaped yet), waiting a little. */
    private static boolean gone(long pid) throws Exception {
        for (int i = 0; i < 500; i++) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                if (stat.charAt(stat.lastIndexOf(')') + 2) == 'Z') {
                    return true;
                }
            } catch (java.io.IOException e) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** Waits until PID is in a job-control stop (state T), reaped by nobody but gdb's exit. */
    private static void awaitStopped(long pid) throws Exception {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < end) {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            if (stat.charAt(stat.lastIndexOf(')') + 2) == 'T') {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + pid + " did not stop");
    }
}
