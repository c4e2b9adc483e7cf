package dev.ckpt.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Child;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checkpoint side of libsavefds.so, with real processes, real gdb and
 * readelf: what a signal leaves behind, and that standard tools read it. The
 * restart side is in {@link SavefdsRestartIT} and {@link FilesIT}.
 */
class SavefdsIT extends ChildTracking {
    static final Duration LIMIT = Duration.ofSeconds(30);
    static final Map<String, String> FAST = Map.of("FPRINTF_DELAY_MS", "300");


    /** fprintf FILE 6 under the library, SIGQUIT after about three numbers; returns its pid. */
    long checkpointFprintf(String file, String coreLimit) throws Exception {
        Child p = track(Child.preloaded(dir, coreLimit, FAST,
                List.of(Child.example("fprintf").toString(), file, "6")));
        Thread.sleep(1000);
        assertThat(p.isAlive()).as("fprintf still running after 1 s; stderr: %s", p.err()).isTrue();
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).as("ended by SIGQUIT (128+3); stderr: %s", p.err()).isEqualTo(131);
        return p.pid();
    }

    static String run(Path dir, List<String> cmd) throws Exception {
        try (Child c = Child.start(dir, Map.of(), cmd)) {
            int status = c.waitFor(LIMIT);
            assertThat(status).as("%s: stderr %s", cmd, c.err()).isZero();
            return c.out() + c.err();
        }
    }

    @Test
    void sigquitWritesCoreAndFiledescriptorsAndNoKernelCore() throws Exception {
        long pid = checkpointFprintf("numbers.txt", "unlimited");

        Path core = dir.resolve("core." + pid);
        assertThat(core).isRegularFile();
        assertThat(Files.getPosixFilePermissions(core))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        // fprintf's numbers are still in its stdio buffer: the file is empty, offset 0
        assertThat(Files.size(dir.resolve("numbers.txt"))).isZero();
        assertThat(Child.read(dir.resolve("filedescriptors")))
                .contains("3 : " + dir.toRealPath().resolve("numbers.txt") + " : 0 : 0100001\n");
        // nothing else: no temporary file, no second core from the kernel (ulimit -c unlimited,
        // core_pattern = whatever this machine says)
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("core_pattern %s", Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim())
                    .containsExactlyInAnyOrder("core." + pid, "filedescriptors", "numbers.txt");
        }
    }

    @Test
    void worksWithCoreLimitZero() throws Exception {
        long pid = checkpointFprintf("numbers.txt", "0");
        CoreFile core = new CoreFile(dir.resolve("core." + pid));
        assertThat(core.note("CKPT", 1)).isPresent();
        assertThat(dir.resolve("filedescriptors")).isRegularFile();
    }

    @Test
    void filedescriptorsLinesHaveFourFields() throws Exception {
        checkpointFprintf("numbers.txt", "unlimited");
        List<String> lines = Files.readAllLines(dir.resolve("filedescriptors"));
        assertThat(lines).isNotEmpty();
        Pattern line = Pattern.compile("(\\d+) : (.+) : (-?\\d+) : (0[0-7]+)");
        List<Integer> fds = new ArrayList<>();
        for (String l : lines) {
            Matcher m = line.matcher(l);
            assertThat(m.matches()).as("line \"%s\"", l).isTrue();
            fds.add(Integer.parseInt(m.group(1)));
        }
        assertThat(fds).isSorted().doesNotHaveDuplicates().contains(0, 1, 2, 3);
    }

    @Test
    void gdbShowsTheStackAndTheInterruptedInstruction() throws Exception {
        long pid = checkpointFprintf("numbers.txt", "unlimited");
        Path core = dir.resolve("core." + pid);
        String out = run(dir, List.of("gdb", "-nx", "-batch", "-ex", "bt", "-ex", "info registers rip",
                "-ex", "x/i $pc - 2", Child.example("fprintf").toString(), core.toString()));

        assertThat(out).contains("Program terminated with signal SIGQUIT");
        // fprintf sleeps in nanosleep, called from main at fprintf.c
        assertThat(out).containsPattern("#\\d+ +0x[0-9a-f]+ in main \\(.*\\) at .*fprintf\\.c:\\d+");
        assertThat(out).contains("nanosleep");
        // rip: the instruction after the system call, as NT_PRSTATUS says
        long rip = new CoreFile(core).prstatusRip();
        assertThat(out).containsPattern("rip +0x" + Long.toHexString(rip) + " ");
        assertThat(out).containsPattern("0x" + Long.toHexString(rip - 2) + " <[^>]*nanosleep[^>]*>:\\s+syscall");
    }

    @Test
    void gdbShowsTheRegistersOfASpinningLoop() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of(), List.of(Child.nativeTest("spinregs").toString())));
        p.awaitOut("ready\n", LIMIT);
        Thread.sleep(50);
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).isEqualTo(131);
        String out = run(dir, List.of("gdb", "-nx", "-batch", "-ex", "info registers rbx r12 r13 r14 r15",
                "-ex", "p/x $xmm8.v2_int64[0]",
                "-ex", "p (unsigned long)$pc - (unsigned long)&spin_start",
                "-ex", "p (unsigned long)&spin_end - (unsigned long)&spin_start",
                Child.nativeTest("spinregs").toString(), dir.resolve("core." + p.pid()).toString()));
        assertThat(out).containsPattern("rbx +0x1111111111111111 ")
                .containsPattern("r12 +0x1212121212121212 ")
                .containsPattern("r13 +0x1313131313131313 ")
                .containsPattern("r14 +0x1414141414141414 ")
                .containsPattern("r15 +0x1515151515151515 ")
                .contains("= 0x808080808080808");
        // rip lies inside the loop [spin_start, spin_end)
        Matcher m = Pattern.compile("\\$2 = (\\d+)\\s+\\$3 = (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(Long.parseLong(m.group(1))).isLessThan(Long.parseLong(m.group(2)));
    }

    @Test
    void readelfListsTheNotes() throws Exception {
        long pid = checkpointFprintf("numbers.txt", "unlimited");
        String out = run(dir, List.of("readelf", "-n", dir.resolve("core." + pid).toString()));
        assertThat(out).containsPattern("CORE +0x00000150\\s+NT_PRSTATUS")
                .containsPattern("CORE +0x00000088\\s+NT_PRPSINFO")
                .containsPattern("CORE +0x00000080\\s+NT_SIGINFO")
                .containsPattern("CORE +0x[0-9a-f]+\\s+NT_AUXV")
                .containsPattern("CORE +0x[0-9a-f]+\\s+NT_FILE")
                .containsPattern("CORE +0x00000200\\s+NT_FPREGSET")
                .containsPattern("LINUX +0x[0-9a-f]+\\s+NT_X86_XSTATE");
        assertThat(Pattern.compile("\\n\\s+CKPT\\s").matcher(out).results().count()).isEqualTo(12); // VERSION .. MM, ATTRS, THREAD_ATTRS
    }

    @Test
    void coreHoldsTheCkptNotes() throws Exception {
        long pid = checkpointFprintf("numbers.txt", "unlimited");
        CoreFile core = new CoreFile(dir.resolve("core." + pid));
        assertThat(core.elfType).isEqualTo(4); // ET_CORE
        assertThat(core.machine).isEqualTo(62); // EM_X86_64

        CoreFile.Note version = core.note("CKPT", 1).orElseThrow();
        assertThat(version.i32(0)).isEqualTo(1);
        assertThat(version.i32(4)).isEqualTo(2); // CKPT_WRITER_SAVEFDS
        assertThat(version.i32(8)).isEqualTo(1); // one thread

        // FILES: numbers.txt at fd 3, write-only, offset 0, regular, its own share group
        CoreFile.Note files = core.note("CKPT", 2).orElseThrow();
        boolean found = false;
        for (int at = 0; at < files.desc().limit();) {
            int fd = files.i32(at);
            int pathLen = files.i32(at + 28);
            String path = files.cstring(at + 32);
            if (fd == 3) {
                found = true;
                assertThat(path).isEqualTo(dir.toRealPath().resolve("numbers.txt").toString());
                assertThat(files.i32(at + 4) & 3).isEqualTo(1); // O_WRONLY
                assertThat(files.u64(at + 8)).isZero();
                assertThat(files.i32(at + 16)).isEqualTo(1); // CKPT_FILE_REG
                assertThat(files.i32(at + 24)).isEqualTo(3); // share_id
            }
            assertThat(pathLen % 8).isZero();
            at += 32 + pathLen;
        }
        assertThat(found).isTrue();

        // SIGACTION: SIGQUIT (index 2) has the library's handler, with SA_SIGINFO
        CoreFile.Note act = core.note("CKPT", 3).orElseThrow();
        assertThat(act.desc().limit()).isEqualTo(64 * 32);
        assertThat(act.u64(2 * 32)).isGreaterThan(1);
        assertThat(act.u64(2 * 32 + 8) & 4).isEqualTo(4);
        assertThat(core.note("CKPT", 4).orElseThrow().u64(0)).isZero(); // fprintf blocks nothing
        assertThat(core.note("CKPT", 5).orElseThrow().cstring(0)).isEqualTo(dir.toRealPath().toString());
        CoreFile.Note rseq = core.note("CKPT", 6).orElseThrow();
        assertThat(rseq.u64(0)).isNotZero(); // glibc >= 2.35 registers rseq
        assertThat(rseq.i32(8)).isEqualTo(32);
        assertThat(rseq.i32(12)).isEqualTo(0x53053053);
        assertThat(core.note("CKPT", 7).orElseThrow().u64(0)).isNotZero(); // glibc sets a tid address

        // MAPS: one record per line of /proc/self/maps; each PT_LOAD has its record
        CoreFile.Note maps = core.note("CKPT", 8).orElseThrow();
        List<Long> starts = new ArrayList<>();
        boolean sawLibrary = false;
        for (int at = 0; at < maps.desc().limit();) {
            starts.add(maps.u64(at));
            String path = maps.cstring(at + 72);
            if (path.endsWith("/fprintf")) {
                assertThat(maps.u64(at + 48)).isEqualTo(Files.size(Child.example("fprintf"))); // st_size
            }
            sawLibrary |= path.endsWith("libsavefds.so");
            at += 72 + maps.i32(at + 64);
        }
        assertThat(sawLibrary).isTrue();
        for (CoreFile.Segment s : core.loads()) {
            assertThat(starts).contains(s.vaddr());
            assertThat(s.offset() % 4096).as("page-aligned content").isZero();
        }
        // XSTATE (the XSAVE area) is the same as the LINUX NT_X86_XSTATE note
        ByteBuffer x1 = core.note("CKPT", 9).orElseThrow().desc();
        ByteBuffer x2 = core.note("LINUX", 0x202).orElseThrow().desc();
        assertThat(x1).isEqualTo(x2);
        // MM: brk at or above start_brk
        CoreFile.Note mm = core.note("CKPT", 10).orElseThrow();
        assertThat(mm.desc().limit()).isEqualTo(88);
        assertThat(Long.compareUnsigned(mm.u64(48), mm.u64(40))).isGreaterThanOrEqualTo(0);
    }

    @Test
    void coreContentMatchesTheLayout() throws Exception {
        long pid = checkpointFprintf("numbers.txt", "unlimited");
        Path path = dir.resolve("core." + pid);
        CoreFile core = new CoreFile(path);
        CoreFile.Segment note = core.segments.get(0);
        assertThat(note.type()).isEqualTo(CoreFile.PT_NOTE);
        long end = 0;
        for (CoreFile.Segment s : core.loads()) {
            assertThat(s.filesz()).isIn(0L, s.memsz());
            end = Math.max(end, s.offset() + s.filesz());
        }
        assertThat(Files.size(path)).isEqualTo(end);
        // heap and stack carry content; the read-only text of libc does not
        assertThat(core.loads().stream().filter(s -> s.filesz() > 0 && (s.flags() & 2) != 0)).hasSizeGreaterThan(3);
        assertThat(core.loads().stream().filter(s -> s.filesz() == 0 && s.flags() == 5)).isNotEmpty();
    }

    @Test
    void programsOwnSigquitHandlerWins() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of(), List.of(Child.nativeTest("ownquit").toString())));
        p.awaitOut("ready\n", LIMIT);
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).as(p.out()).isZero();
        assertThat(p.out()).contains("PASS ownquit");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void checkpointAndContinueOnCkptSignal() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of("FPRINTF_DELAY_MS", "300", "CKPT_SIGNAL", "USR1"),
                List.of(Child.example("fprintf").toString(), "numbers.txt", "6")));
        Thread.sleep(1000);
        Child.signal(p.pid(), "USR1");
        assertThat(p.waitFor(LIMIT)).as(p.err()).isZero();
        assertThat(Child.read(dir.resolve("numbers.txt"))).isEqualTo("1\n2\n3\n4\n5\n6\n");
        assertThat(dir.resolve("core." + p.pid())).isRegularFile();
        assertThat(Child.read(dir.resolve("filedescriptors"))).contains("numbers.txt : 0 : 0100001");
        CoreFile core = new CoreFile(dir.resolve("core." + p.pid()));
        assertThat(core.note("CORE", 0x53494749).orElseThrow().i32(0)).isEqualTo(10); // SIGUSR1
    }

    @Test
    void everyThreadIsInTheCoreAndTheProcessRunsOn() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of("CKPT_SIGNAL", "USR1", "CKPT_VERBOSE", "1"),
                List.of(Child.nativeTest("threads").toString())));
        p.awaitOut("ready\n", LIMIT);
        Child.signal(p.pid(), "USR1");
        String wrote = "libsavefds: wrote filedescriptors and core." + p.pid() + "\n";
        p.awaitErr(wrote, LIMIT);
        p.write("\n");
        assertThat(p.waitFor(LIMIT)).as(p.err()).isZero();
        assertThat(p.out()).isEqualTo("ready\nPASS threads\n");
        // one checkpoint only: the request the blocked worker finds at its end is stale
        assertThat(p.err()).isEqualTo(wrote);

        Path path = dir.resolve("core." + p.pid());
        CoreFile core = new CoreFile(path);
        List<CoreFile.Note> prstatus = core.notes.stream().filter(n -> n.owner().equals("CORE") && n.type() == 1)
                .toList();
        // main, worker_spin, worker_sleep; worker_blocked has every signal blocked and cannot answer
        assertThat(prstatus).hasSize(3);
        assertThat(prstatus.stream().map(n -> n.i32(32)).distinct()).hasSize(3);
        assertThat((int) prstatus.get(0).desc().getShort(12)).isEqualTo(10); // pr_cursig of the first: SIGUSR1
        assertThat(core.note("CKPT", 1).orElseThrow().i32(8)).isEqualTo(4); // nthreads
        String out = run(dir, List.of("gdb", "-nx", "-batch", "-ex", "thread apply all bt",
                Child.nativeTest("threads").toString(), path.toString()));
        assertThat(out).contains("in main ()").containsPattern("worker_spin \\(arg=")
                .containsPattern("in worker_sleep \\(arg=");
    }

    @Test
    void sigquitHoldsEveryThreadAndEndsThemAll() throws Exception {
        Child p = track(Child.preloaded(dir, "unlimited", Map.of(), List.of(Child.nativeTest("threads").toString())));
        p.awaitOut("ready\n", LIMIT);
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).isEqualTo(131);
        CoreFile core = new CoreFile(dir.resolve("core." + p.pid()));
        assertThat(core.notes.stream().filter(n -> n.owner().equals("CORE") && n.type() == 1)).hasSize(3);
    }

    @ParameterizedTest
    @CsvSource({"USR1, 10", "SIGUSR2, 12", "usr1, 10", "10, 10", "RTMIN+2, 36", "SIGRTMAX, 64", "QUIT, 3"})
    void ckptSignalTakesNamesAndNumbers(String name, int number) throws Exception {
        // SIGQUIT (3) is always caught; the named signal is caught too
        Child p = track(Child.preloaded(dir, "unlimited", Map.of("CKPT_SIGNAL", name), List.of("sleep", "20")));
        Child.awaitCaught(p.pid(), 3, LIMIT);
        Child.awaitCaught(p.pid(), number, LIMIT);
        assertThat(p.err()).isEmpty();
    }

    @Test
    void badCkptSignalIsReportedAndIgnored() throws Exception {
        try (Child p = Child.preloaded(dir, "unlimited", Map.of("CKPT_SIGNAL", "NOSUCH"), List.of("true"))) {
            assertThat(p.waitFor(LIMIT)).isZero();
            assertThat(p.err()).isEqualTo("libsavefds: CKPT_SIGNAL: not a signal that can be caught; ignored\n");
        }
        for (String bad : List.of("KILL", "9", "32", "0", "65", "RTMIN+99", "USR1x")) {
            try (Child p = Child.preloaded(dir, "unlimited", Map.of("CKPT_SIGNAL", bad), List.of("true"))) {
                assertThat(p.waitFor(LIMIT)).isZero();
                assertThat(p.err()).as(bad).startsWith("libsavefds: CKPT_SIGNAL: not a signal");
            }
        }
    }

    @Test
    void failureIsReportedAndStillEndsTheProcess() throws Exception {
        // /proc takes no new files, not even from root: the checkpoint fails, SIGQUIT still ends it
        Child p = track(Child.preloaded(Path.of("/proc"), "0", FAST,
                List.of(Child.example("fprintf").toString(), "-", "6")));
        p.awaitErr("2\n", LIMIT);
        Child.signal(p.pid(), "QUIT");
        assertThat(p.waitFor(LIMIT)).isEqualTo(131);
        assertThat(p.err()).containsPattern("\nlibsavefds: checkpoint failed: core\\.[0-9]+: [A-Za-z ]+\n$");
    }
}
