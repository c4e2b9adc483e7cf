package dev.ckpt.gdb;

import static dev.ckpt.gdb.CkptNotesFixture.NT_ATTRS;
import static dev.ckpt.gdb.CkptNotesFixture.NT_CWD;
import static dev.ckpt.gdb.CkptNotesFixture.NT_FILES;
import static dev.ckpt.gdb.CkptNotesFixture.NT_KOBJ;
import static dev.ckpt.gdb.CkptNotesFixture.NT_MAPS;
import static dev.ckpt.gdb.CkptNotesFixture.NT_MM;
import static dev.ckpt.gdb.CkptNotesFixture.NT_RSEQ;
import static dev.ckpt.gdb.CkptNotesFixture.NT_SIGACTION;
import static dev.ckpt.gdb.CkptNotesFixture.NT_SIGMASK;
import static dev.ckpt.gdb.CkptNotesFixture.NT_THREAD_ATTRS;
import static dev.ckpt.gdb.CkptNotesFixture.NT_TIDADDR;
import static dev.ckpt.gdb.CkptNotesFixture.NT_VERSION;
import static dev.ckpt.gdb.CkptNotesFixture.NT_XSTATE;
import static dev.ckpt.gdb.CkptNotesFixture.only;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.gdb.CkptNotesFixture.FileRecord;
import dev.ckpt.gdb.CkptNotesFixture.MapRecord;
import dev.ckpt.gdb.CkptNotesFixture.Note;
import dev.ckpt.gdb.CkptNotesFixture.SigAction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gdb-scripts/ckpt.py with real gdb in batch mode on native/tests/state.c: the
 * command {@code ckpt-save FILE} writes a gdb core with the CKPT notes of
 * native/include/ckpt_image.h, atomically and with mode 0600, and leaves the
 * program running unharmed (it goes on to print {@code PASS state}).
 */
class CkptSaveScriptIT {
    private static final Path BASEDIR = Path.of(System.getProperty("ckpt.basedir", ".")).toAbsolutePath();
    private static final Path TARGET = Path.of(System.getProperty("ckpt.target", "target")).toAbsolutePath();
    private static final Path SCRIPT = BASEDIR.resolve("gdb-scripts/ckpt.py");
    private static final Path STATE = TARGET.resolve("native-tests/state");
    private static final long TIMEOUT_SECONDS = 60;

    private static final int O_ACCMODE = 03, O_RDONLY = 0, O_RDWR = 02, O_APPEND = 02000;
    private static final int SA_SIGINFO = 4, SIGUSR1 = 10, SIGUSR2 = 12, SIGPIPE = 13, SIGTERM = 15;

    @TempDir
    Path tmp;

    @Test
    void writesACoreWithTheCkptNotesAndTheProgramGoesOn() throws Exception {
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path images = Files.createDirectory(tmp.resolve("images"));
        Path image = images.resolve("state.core");
        Files.writeString(image, "an older checkpoint"); // replaced only by the final rename

        Result gdb = gdb(List.of("-ex", "break checkpoint_point", "-ex", "run",
                "-ex", "ckpt-save " + quote(image), "-ex", "continue"), work.toString());

        assertThat(gdb.stdout).contains("PASS state").doesNotContain("FAIL");
        Matcher wrote = Pattern.compile("ckpt-save: wrote (.*) \\((\\d+) bytes, (\\d+) notes\\)\\n").matcher(gdb.stdout);
        assertThat(wrote.find()).as("success line in %s", gdb.stdout).isTrue();
        assertThat(wrote.group(1)).isEqualTo(image.toString());
        assertThat(Long.parseLong(wrote.group(2))).isEqualTo(Files.size(image));
        assertThat(Files.getPosixFilePermissions(image)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Stream<Path> left = Files.list(images)) {
            assertThat(left).containsExactly(image); // no temporary directory left behind
        }

        List<Note> notes = CkptNotesFixture.ckptNotes(image);
        assertThat(notes).hasSize(Integer.parseInt(wrote.group(3)));
        assertThat(notes).extracting(Note::type).containsExactlyInAnyOrder(
                NT_VERSION, NT_FILES, NT_SIGACTION, NT_SIGMASK, NT_CWD, NT_RSEQ, NT_TIDADDR, NT_MAPS, NT_XSTATE, NT_MM,
                NT_ATTRS, NT_THREAD_ATTRS, NT_KOBJ); // NT_KOBJ: the program's pipe, both ends in it
        assertThat(notes.get(0).type()).isEqualTo(NT_VERSION);
        assertThat(readelfNoteSizes(image, "CKPT")).containsExactlyElementsOf(
                notes.stream().map(n -> n.desc().length).toList());

        Map<String, String> ready = readyLine(gdb.stdout);
        checkVersion(only(notes, NT_VERSION));
        checkFiles(CkptNotesFixture.files(only(notes, NT_FILES)), ready, work.toRealPath());
        checkSignals(only(notes, NT_SIGACTION), only(notes, NT_SIGMASK));
        assertThat(CkptNotesFixture.cString(only(notes, NT_CWD))).isEqualTo(work.toRealPath().toString());
        assertThat(only(notes, NT_CWD).desc()).endsWith(0);
        checkRseqAndTid(only(notes, NT_RSEQ), only(notes, NT_TIDADDR));
        List<MapRecord> maps = CkptNotesFixture.maps(only(notes, NT_MAPS));
        checkMaps(maps);
        byte[] xstate = only(notes, NT_XSTATE).desc();
        assertThat(xstate.length).isGreaterThanOrEqualTo(576).matches(n -> n % 64 == 0, "a multiple of 64");
        checkMm(only(notes, NT_MM), maps);

        // gdb still reads the image as a core at the checkpoint.
        Result bt = run(List.of("gdb", "-nx", "-batch", "-ex", "bt", STATE.toString(), image.toString()));
        assertThat(bt.stdout).contains("checkpoint_point").contains("main");
    }

    @Test
    void aFailedCheckpointLeavesNoFileAndTheProgramAlive() throws Exception {
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path missingDir = tmp.resolve("no-such-dir");
        Path existingDir = Files.createDirectories(tmp.resolve("images/taken"));
        Files.writeString(existingDir.resolve("keep"), "keep");

        Result gdb = gdb(List.of("-ex", "break checkpoint_point", "-ex", "run",
                "-ex", "ckpt-save " + quote(missingDir.resolve("img")),
                "-ex", "ckpt-save " + quote(existingDir), // fails after gcore: rename onto a directory
                "-ex", "continue"), work.toString());

        assertThat(gdb.stderr).contains("ckpt-save: " + missingDir.resolve("img")
                + ": cannot create a temporary directory in " + missingDir + ": No such file or directory\n");
        assertThat(gdb.stderr).containsPattern("ckpt-save: " + Pattern.quote(existingDir.toString()) + ": [^\\n]+\\n");
        assertThat(gdb.stdout).doesNotContain("ckpt-save: wrote").contains("PASS state");
        assertThat(missingDir).doesNotExist();
        assertThat(existingDir).isDirectory();
        assertThat(existingDir.resolve("keep")).hasContent("keep");
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".ckpt-save-"));
        }
    }

    @Test
    void refusesWithoutAProcess() throws Exception {
        Path image = tmp.resolve("img");
        Result gdb = run(List.of("gdb", "-nx", "-batch", "-x", SCRIPT.toString(),
                "-ex", "ckpt-save " + quote(image), STATE.toString()));
        assertThat(gdb.stderr).contains("ckpt-save: the program is not being run\n");
        assertThat(image).doesNotExist();
    }

    // --- checks of single notes ------------------------------------------------

    private static void checkVersion(Note version) {
        ByteBuffer b = version.buffer();
        assertThat(version.desc()).hasSize(16);
        assertThat(b.getInt(0)).as("version").isEqualTo(1);
        assertThat(b.getInt(4)).as("writer").isEqualTo(1);
        assertThat(b.getInt(8)).as("nthreads").isEqualTo(1);
        assertThat(b.getInt(12)).as("reserved").isZero();
    }

    private static void checkFiles(List<FileRecord> files, Map<String, String> ready, Path work) {
        Map<Integer, FileRecord> byFd = new HashMap<>();
        files.forEach(f -> byFd.put(f.fd(), f));
        assertThat(files).extracting(FileRecord::fd).isSorted().doesNotHaveDuplicates().contains(0, 1, 2);

        FileRecord data = byFd.get(fd(ready, "data"));
        assertThat(data.path()).isEqualTo(work.resolve("data.txt").toString());
        assertThat(data.offset()).isEqualTo(7);
        assertThat(data.kind()).isEqualTo(1);
        assertThat(data.flags() & O_ACCMODE).isEqualTo(O_RDWR);
        assertThat(data.fdflags()).isZero();
        assertThat(data.shareId()).isEqualTo(data.fd());
        FileRecord dup = byFd.get(fd(ready, "dup"));
        assertThat(dup.shareId()).as("dup shares data's open file").isEqualTo(data.fd());
        assertThat(dup.offset()).isEqualTo(7);

        FileRecord log = byFd.get(fd(ready, "log"));
        assertThat(log.flags() & O_APPEND).isEqualTo(O_APPEND);
        assertThat(log.offset()).isEqualTo(5);
        assertThat(log.shareId()).isEqualTo(log.fd());

        FileRecord ro = byFd.get(fd(ready, "ro"));
        assertThat(ro.path()).isEqualTo(work.resolve("ro.txt").toString());
        assertThat(ro.flags() & O_ACCMODE).isEqualTo(O_RDONLY);
        assertThat(ro.flags() & 02000000).as("O_CLOEXEC moved to fdflags").isZero();
        assertThat(ro.fdflags()).isEqualTo(1);
        assertThat(ro.offset()).isEqualTo(3);

        String[] pipe = ready.get("pipe").split(",");
        assertThat(byFd.get(Integer.parseInt(pipe[0])).kind()).isEqualTo(4);
        assertThat(byFd.get(Integer.parseInt(pipe[1])).kind()).isEqualTo(4);
        assertThat(byFd.get(Integer.parseInt(pipe[0])).path()).startsWith("pipe:[");
        FileRecord devnull = byFd.get(fd(ready, "null"));
        assertThat(devnull.path()).isEqualTo("/dev/null");
        assertThat(devnull.kind()).isEqualTo(2);
        FileRecord dir = byFd.get(fd(ready, "dir"));
        assertThat(dir.path()).isEqualTo(work.toString());
        assertThat(dir.kind()).isEqualTo(3);
    }

    private static void checkSignals(Note sigactionNote, Note sigmask) {
        List<SigAction> actions = CkptNotesFixture.sigactions(sigactionNote);
        assertThat(sigactionNote.desc()).hasSize(64 * 32);
        SigAction usr1 = actions.get(SIGUSR1 - 1);
        assertThat(usr1.handler()).as("SIGUSR1 handler").isGreaterThan(1);
        assertThat(usr1.flags() & SA_SIGINFO).isEqualTo(SA_SIGINFO);
        assertThat(usr1.mask() & bit(SIGTERM)).as("SIGTERM in SIGUSR1's sa_mask").isNotZero();
        assertThat(usr1.restorer()).isNotZero();
        assertThat(actions.get(SIGPIPE - 1).handler()).as("SIGPIPE ignored").isEqualTo(1);
        assertThat(actions.get(SIGUSR2 - 1)).isEqualTo(new SigAction(0, 0, 0, 0));
        assertThat(actions.get(SIGTERM - 1)).isEqualTo(new SigAction(0, 0, 0, 0));

        assertThat(sigmask.desc()).hasSize(8);
        long mask = sigmask.buffer().getLong(0);
        assertThat(mask & bit(SIGUSR2)).as("SIGUSR2 blocked").isNotZero();
        assertThat(mask & bit(SIGUSR1)).as("SIGUSR1 not blocked").isZero();
    }

    private static void checkRseqAndTid(Note rseq, Note tid) {
        assertThat(rseq.desc()).hasSize(16);
        ByteBuffer r = rseq.buffer();
        assertThat(r.getLong(0)).as("rseq area").isNotZero();
        assertThat(r.getInt(8)).as("rseq len").isEqualTo(32);
        assertThat(r.getInt(12)).as("rseq sig").isEqualTo(0x53053053);
        assertThat(tid.desc()).hasSize(8);
        assertThat(tid.buffer().getLong(0)).as("clear_child_tid").isNotZero();
    }

    private static void checkMaps(List<MapRecord> maps) throws IOException {
        assertThat(maps).extracting(MapRecord::start).isSortedAccordingTo(Long::compareUnsigned);
        assertThat(maps).allMatch(m -> Long.compareUnsigned(m.end(), m.start()) > 0
                && m.start() % 4096 == 0 && m.end() % 4096 == 0);
        MapRecord stack = maps.stream().filter(m -> m.path().equals("[stack]")).findFirst().orElseThrow();
        assertThat(stack.flags()).isEqualTo(2); // private, grows down
        assertThat(stack.prot()).isEqualTo(3);
        assertThat(stack.size()).isZero();
        String exe = STATE.toRealPath().toString();
        MapRecord text = maps.stream().filter(m -> m.path().equals(exe) && m.prot() == 5)
                .findFirst().orElseThrow();
        assertThat(text.size()).isEqualTo(Files.size(STATE));
        assertThat(text.inode()).isEqualTo(((Number) Files.getAttribute(STATE, "unix:ino")).longValue());
        assertThat(text.mtimeNs()).isEqualTo(
                Files.getLastModifiedTime(STATE, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS));
        assertThat(maps).filteredOn(m -> m.path().isEmpty()).allMatch(m -> m.inode() == 0 && m.size() == 0);
    }

    private static void checkMm(Note mmNote, List<MapRecord> maps) {
        assertThat(mmNote.desc()).hasSize(88);
        ByteBuffer b = mmNote.buffer();
        long startCode = b.getLong(0), endCode = b.getLong(8), startStack = b.getLong(16);
        long startBrk = b.getLong(40), brk = b.getLong(48), argStart = b.getLong(56), envEnd = b.getLong(80);
        assertThat(startCode).isPositive().isLessThan(endCode);
        assertThat(brk).isGreaterThanOrEqualTo(startBrk);
        MapRecord stack = maps.stream().filter(m -> m.path().equals("[stack]")).findFirst().orElseThrow();
        assertThat(startStack).isBetween(stack.start(), stack.end());
        assertThat(argStart).isBetween(stack.start(), stack.end());
        assertThat(envEnd).isBetween(argStart, stack.end());
        maps.stream().filter(m -> m.path().equals("[heap]")).findFirst()
                .ifPresent(heap -> assertThat(brk).isBetween(heap.start(), heap.end()));
    }

    // --- helpers ---------------------------------------------------------------

    private static long bit(int sig) {
        return 1L << (sig - 1);
    }

    private static int fd(Map<String, String> ready, String name) {
        return Integer.parseInt(ready.get(name));
    }

    /** "state: ready data=3 dup=4 ..." as a map. */
    private static Map<String, String> readyLine(String stdout) {
        Matcher m = Pattern.compile("state: ready (.*)\\n").matcher(stdout);
        assertThat(m.find()).as("ready line in %s", stdout).isTrue();
        Map<String, String> out = new HashMap<>();
        for (String kv : m.group(1).split(" ")) {
            String[] p = kv.split("=", 2);
            out.put(p[0], p[1]);
        }
        return out;
    }

    /** The desc sizes readelf -n lists for notes of the given owner, in order. */
    private List<Integer> readelfNoteSizes(Path core, String owner) throws Exception {
        Result r = run(List.of("readelf", "-nW", core.toString()));
        List<Integer> sizes = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s+" + owner + "\\s+0x([0-9a-f]+)\\s").matcher(r.stdout);
        while (m.find()) {
            sizes.add(Integer.parseInt(m.group(1), 16));
        }
        return sizes;
    }

    private static String quote(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private Result gdb(List<String> commands, String... programArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gdb", "-nx", "-batch", "-x", SCRIPT.toString(),
                "-ex", "handle SIGUSR1 nostop noprint pass")); // state.c raises it after the checkpoint
        cmd.addAll(commands);
        cmd.add("--args");
        cmd.add(STATE.toString());
        cmd.addAll(List.of(programArgs));
        return run(cmd);
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result run(List<String> cmd) throws Exception {
        dev.ckpt.testing.Run r = dev.ckpt.testing.Run.of(cmd).timeout(java.time.Duration.ofSeconds(TIMEOUT_SECONDS))
                .go();
        return new Result(r.exit, r.out, r.err);
    }
}
