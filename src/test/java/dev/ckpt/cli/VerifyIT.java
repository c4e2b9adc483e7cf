package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ckpt.core.CoreFile;
import dev.ckpt.core.Note;
import dev.ckpt.core.TestCores;
import dev.ckpt.image.CkptImage;
import dev.ckpt.image.CkptNotes;
import dev.ckpt.testing.Checkpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ckpt verify} on real cores, and on real cores changed to show each problem. */
class VerifyIT {
    @TempDir
    Path tmp;

    static List<String> kinds(Ckpt r) throws IOException {
        List<String> k = new ArrayList<>();
        for (JsonNode p : new ObjectMapper().readTree(r.out()).get("problems")) {
            k.add(p.get("kind").asText());
        }
        return k;
    }

    @Test
    void gdbCoreCanBeRestarted() throws IOException {
        Path core = TestCores.gdbLinklist(tmp, 100, 5);
        Ckpt r = Ckpt.run("verify", core);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(core + ": ok, can be restarted here\n");
        assertThat(r.status()).isZero();
        assertThat(Ckpt.run("verify", core, TestCores.linklist()).status()).isZero();
        Ckpt json = Ckpt.run("verify", "--json", core);
        assertThat(new ObjectMapper().readTree(json.out()).get("ok").asBoolean()).isTrue();
    }

    @Test
    void executableChangedOrMissing() throws Exception {
        Path prog = tmp.resolve("prog");
        Files.copy(TestCores.linklist(), prog);
        Path input = tmp.resolve("input");
        Files.writeString(input, "100\n");
        Path core = Checkpoints.gdb(tmp, prog, "29", 5, input, "core.prog").core();
        assertThat(Ckpt.run("verify", core).status()).isZero();
        // the same program under another name is fine
        assertThat(Ckpt.run("verify", core, TestCores.linklist()).status()).isZero();
        // another program is not
        Ckpt other = Ckpt.run("verify", core, "/bin/true");
        assertThat(other.status()).isEqualTo(1);
        assertThat(other.out()).startsWith(core + ": executable " + Path.of("/bin/true").toRealPath()
                + " is another build: build-id ");

        byte[] original = Files.readAllBytes(prog);
        byte[] b = original.clone();
        b[12] ^= 1; // EI_PAD: a change in the first page that leaves the code (and the build-id) alone
        Files.write(prog, b);
        assertThat(Ckpt.run("verify", core).status()).as("same build-id: the same build").isZero();

        b = original.clone();
        int id = buildIdOffset(b);
        b[id] ^= 1; // another build
        Files.write(prog, b);
        Ckpt changed = Ckpt.run("verify", core);
        assertThat(changed.status()).isEqualTo(1);
        assertThat(changed.out()).matches(java.util.regex.Pattern.quote(core + ": executable " + prog
                + " is another build: build-id ") + "[0-9a-f]{40}, the checkpoint's is [0-9a-f]{40}\n");
        JsonNode j = new ObjectMapper().readTree(Ckpt.run("verify", "--json", core).out());
        assertThat(j.get("problems")).hasSize(1);
        assertThat(j.get("problems").get(0).get("kind").asText()).isEqualTo("executable-changed");
        assertThat(j.get("problems").get(0).get("severity").asText()).isEqualTo("mismatch");
        assertThat(j.get("problems").get(0).get("file").asText()).isEqualTo(prog.toString());

        b = original.clone();
        b[id - 8] = 0x7f; // the note is no build-id any more: the first page is compared
        b[12] ^= 1;
        Files.write(prog, b);
        assertThat(Ckpt.run("verify", core).out()).isEqualTo(core + ": executable " + prog
                + " changed since the checkpoint: its first 4096 bytes differ from the core\n");

        Files.delete(prog);
        Ckpt missing = Ckpt.run("verify", core);
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.out()).isEqualTo(core + ": executable " + prog + ": No such file or directory\n");
        assertThat(kinds(Ckpt.run("verify", "--json", core))).containsExactly("executable-missing");
    }

    /** Where the GNU build-id of an ELF file starts (its note within the first page). */
    static int buildIdOffset(byte[] elf) {
        byte[] head = {4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0};
        for (int i = 0; i + head.length < Math.min(elf.length, 4096); i++) {
            if (java.util.Arrays.equals(elf, i, i + head.length, head, 0, head.length)) {
                return i + head.length;
            }
        }
        throw new AssertionError("no 20-byte GNU build-id note in the first page");
    }

    @Test
    void ckptSaveImage_changedByMtime_andMissingCwd() throws Exception {
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path prog = work.resolve("prog");
        Files.copy(TestCores.linklist(), prog);
        Path input = tmp.resolve("input");
        Files.writeString(input, "100\n");
        Path saved = Checkpoints.ckptSave(work, prog, "29", 5, input, "core.prog").core();
        Path core = Files.move(saved, tmp.resolve("core.prog"));
        // the program's stdout and stderr went to work/before.out, which the helper removed:
        // fds 0-2 are the caller's (the engine leaves them as they are), never a problem
        Ckpt noOut = Ckpt.run("verify", "--json", core);
        assertThat(kinds(noOut)).isEmpty();
        Ckpt ok = Ckpt.run("verify", core);
        assertThat(ok.status()).as(ok.out()).isZero();
        assertThat(ok.out()).isEqualTo(core + ": ok, can be restarted here\n");

        // a copy of the program elsewhere, with its own mtime, is the same build
        Path copy = tmp.resolve("copy-of-prog");
        Files.copy(prog, copy);
        Files.setLastModifiedTime(copy, FileTime.fromMillis(Files.getLastModifiedTime(prog).toMillis() + 5000));
        assertThat(Ckpt.run("verify", core, copy).status()).isZero();
        assertThat(Ckpt.run("verify", core, "/bin/true").out()).contains("is another build: build-id ");

        // touch: a changed mtime alone is a warning
        Files.setLastModifiedTime(prog, FileTime.fromMillis(Files.getLastModifiedTime(prog).toMillis() + 5000));
        Ckpt touched = Ckpt.run("verify", core);
        assertThat(touched.status()).isZero();
        assertThat(touched.out()).isEqualTo(core + ": warning: executable " + prog
                + " was modified after the checkpoint (mtime), but its build-id is the checkpoint's\n"
                + core + ": ok, can be restarted here\n");
        assertThat(kinds(Ckpt.run("verify", "--json", core))).containsExactly("executable-touched");

        Files.delete(prog);
        Files.delete(work);
        assertThat(kinds(Ckpt.run("verify", "--json", core))).containsExactly("executable-missing", "cwd-missing");
        assertThat(Ckpt.run("verify", core).out()).contains("working directory " + work + ": No such file or directory");
    }

    /** The shared gdb core, shrunk, with its notes passed through {@code edit}. */
    Path variant(String name, UnaryOperator<List<byte[]>> edit) throws IOException {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        Path p = tmp.resolve(name);
        Files.write(p, TestCores.shrink(c, edit.apply(new ArrayList<>(TestCores.rawNotes(c))), 4096));
        return p;
    }

    @Test
    void shrunkCoreIsStillFine() throws IOException {
        Path p = variant("same", n -> n);
        Ckpt r = Ckpt.run("verify", p);
        assertThat(r.status()).as(r.out()).isZero();
    }

    @Test
    void aThreadTwiceIsNotAUsableCore() throws IOException {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        Path p = variant("threads", notes -> {
            for (int i = 0; i < notes.size(); i++) {
                Note n = c.notes().get(i);
                if (n.owner().equals("CORE") && n.type() == Note.NT_PRSTATUS) {
                    notes.add(notes.get(i)); // a second thread
                    break;
                }
            }
            return notes;
        });
        Ckpt r = Ckpt.run("verify", p);
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("ckpt verify: " + p + ": thread " + c.threads().get(0).tid()
                + " has two NT_PRSTATUS notes\n");
    }

    @Test
    void foreignMachine() throws IOException {
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        assumeFalse(cpuinfo.contains(" amx_tile"), "this CPU has AMX");
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        Path p = variant("amx", notes -> {
            for (int i = 0; i < notes.size(); i++) {
                Note n = c.notes().get(i);
                if (n.owner().equals("LINUX") && n.type() == Note.NT_X86_XSTATE) {
                    byte[] raw = notes.get(i).clone();
                    int desc = 12 + 8; // "LINUX\0" padded to 8
                    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                    b.putLong(desc + 464, b.getLong(desc + 464) | (3L << 17)); // XCR0: AMX tile state
                    notes.set(i, raw);
                }
            }
            return notes;
        });
        Ckpt r = Ckpt.run("verify", "--json", p);
        assertThat(r.status()).isEqualTo(1);
        assertThat(kinds(r)).containsExactly("foreign-machine");
        assertThat(Ckpt.run("verify", p).out()).contains("CPU state this machine lacks (amx_tile)");
    }

    @Test
    void openFileMissing() throws IOException {
        Path gone = tmp.resolve("gone.txt");
        Path p = variant("files", notes -> {
            notes.add(CkptNotes.version(1, 1, 1));
            notes.add(CkptNotes.note(CkptImage.NT_FILES, CkptNotes.concat(
                    CkptNotes.fileRecord(0, 0, 0, 2, 0, 0, "/dev/null"),
                    CkptNotes.fileRecord(3, 02, 10, 1, 0, 3, gone.toString()),
                    CkptNotes.fileRecord(4, 0, 0, 4, 0, 4, "pipe:[1]"))));
            return notes;
        });
        Ckpt r = Ckpt.run("verify", p);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).isEqualTo(p + ": open file (fd 3) " + gone + ": No such file or directory\n");
        assertThat(kinds(Ckpt.run("verify", "--json", p))).containsExactly("open-file-missing");
        Files.writeString(gone, "0123456789abc");
        assertThat(Ckpt.run("verify", p).status()).isZero();
    }

    @Test
    void notACore() throws IOException {
        Path p = tmp.resolve("x");
        Files.write(p, new byte[100]);
        Ckpt r = Ckpt.run("verify", p);
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("ckpt verify: " + p + ": not an ELF file\n");
    }

    /** A real multi-threaded process (native-tests/threads) dumped by the kernel on SIGQUIT. */
    @Test
    void multiThreadedKernelCore() throws Exception {
        Path work = Files.createDirectory(tmp.resolve("threads"));
        ProcessBuilder pb = new ProcessBuilder(TestCores.withDefaultFilter(List.of("bash", "-c",
                "ulimit -c unlimited; exec env --default-signal=QUIT \"$0\"", TestCores.nativeTest("threads").toString())))
                .directory(work.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            java.util.concurrent.CompletableFuture<String> ready = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return out.readLine();
                        } catch (IOException e) {
                            return null;
                        }
                    });
            assertThat(ready.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("ready");
            assertThat(TestCores.run(List.of("kill", "-QUIT", Long.toString(p.pid())), tmp, java.util.Map.of(), 10)
                    .status()).isZero();
            assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
            p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(p.exitValue()).isEqualTo(128 + 3);
        Path core;
        try (java.util.stream.Stream<Path> l = Files.list(work)) {
            core = l.filter(f -> f.getFileName().toString().startsWith("core")).findFirst().orElseThrow();
        }
        CoreFile c = CoreFile.open(core);
        assertThat(c.threads()).hasSize(4); // main and three workers
        assertThat(c.threads()).allMatch(t -> t.hasFpregset() && t.xstateSize() > 0);

        Ckpt v = Ckpt.run("verify", core);
        assertThat(v.status()).as(v.out()).isZero();
        // restarted by the engine with stdin from /dev/null: main's read() sees EOF and finishes
        dev.ckpt.testing.Run r = dev.ckpt.testing.Run.of(dev.ckpt.testing.Build.restart().toString(), "-n", "-w",
                core.toString()).dir(work).go();
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).contains("PASS threads");
        JsonNode j = new ObjectMapper().readTree(Ckpt.run("inspect", "--json", core).out());
        assertThat(j.get("threads")).hasSize(4);
        assertThat(j.get("threads").get(0).get("tid").asLong()).isEqualTo(p.pid());
        java.util.Set<String> stacks = new java.util.HashSet<>();
        for (JsonNode t : j.get("threads")) {
            stacks.add(t.get("registers").get("rsp").asText());
        }
        assertThat(stacks).as("each thread has its own stack").hasSize(4);
    }

    /** A kernel core of a program that crashed with SIGNAL ("segv" or "abort"), dumped in DIR. */
    static Path crashCore(Path dir, String how) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.ckpt.testing.Build.kernelCoresToFiles(),
                "core_pattern is not a plain file name");
        Path src = dir.resolve("crash.c");
        Files.writeString(src, "#include <stdlib.h>\n#include <string.h>\n"
                + "int main(int c, char **v) { if (strcmp(v[1], \"abort\") == 0) abort();"
                + " volatile int *p = (int *)16; return *p; }\n");
        Path prog = dir.resolve("crash");
        assertThat(dev.ckpt.testing.Run.of("gcc", "-g", "-o", prog.toString(), src.toString()).go().exit).isZero();
        Path work = Files.createDirectory(dir.resolve(how));
        dev.ckpt.testing.Run r = dev.ckpt.testing.Run.of(TestCores.withDefaultFilter(List.of("bash", "-c",
                "ulimit -c unlimited; exec \"$0\" \"$1\"", prog.toString(), how))).dir(work).go();
        assertThat(r.exit).as("%s", r).isEqualTo(how.equals("abort") ? 128 + 6 : 128 + 11);
        try (java.util.stream.Stream<Path> l = Files.list(work)) {
            return l.filter(f -> f.getFileName().toString().startsWith("core")).findFirst().orElseThrow();
        }
    }

    /** A crash core is reported as a crash, with the signal and the faulting address, never as "ok". */
    @Test
    void crashCoresAreCrashes() throws Exception {
        Path segv = crashCore(tmp, "segv");
        Ckpt v = Ckpt.run("verify", segv);
        assertThat(v.status()).isEqualTo(1);
        assertThat(v.out()).startsWith(segv + ": the process crashed: SIGSEGV at address 0x10, rip 0x")
                .contains("to look at it live: ckpt debug " + segv).doesNotContain("ok, can be restarted");
        JsonNode j = new ObjectMapper().readTree(Ckpt.run("verify", "--json", segv).out());
        assertThat(j.get("ok").asBoolean()).isFalse();
        assertThat(j.get("refused").asBoolean()).isFalse();
        assertThat(j.get("crash").get("name").asText()).isEqualTo("SIGSEGV");
        assertThat(j.get("crash").get("addr").asText()).isEqualTo("0x10");
        assertThat(kinds(Ckpt.run("verify", "--json", segv))).containsExactly("crash");

        Path abort = crashCore(tmp, "abort");
        Ckpt a = Ckpt.run("verify", abort);
        assertThat(a.status()).isEqualTo(1);
        assertThat(a.out()).startsWith(abort + ": the process crashed: SIGABRT, rip 0x")
                .doesNotContain("ok, can be restarted");

        // the engine restarts a crash core when asked: it says so, and the program crashes again
        dev.ckpt.testing.Run r = dev.ckpt.testing.Run.of(dev.ckpt.testing.Build.restart().toString(), "-n", "-w",
                segv.toString()).dir(tmp).go();
        assertThat(r.err).startsWith("restart: " + segv + ": note: the process crashed: SIGSEGV at address 0x10");
        assertThat(r.exit).as("%s", r).isEqualTo(128 + 11);
    }

    /**
     * The heap a plain core's restart gets is plan.c's guess; inspect's "[heap]" row (for
     * display) must name the same mapping: one rule, checked here on a gdb and a kernel core.
     */
    @Test
    void inspectNamesTheHeapTheEngineRestores() throws Exception {
        for (Path core : List.of(TestCores.sharedGdbLinklist(), TestCores.sharedKernelHeap().core())) {
            JsonNode heap = new ObjectMapper().readTree(Ckpt.run("verify", "--json", core).out()).get("heap");
            long start = Long.decode(heap.get("start").asText());
            long end = Long.decode(heap.get("end").asText());
            JsonNode named = null;
            for (JsonNode m : new ObjectMapper().readTree(Ckpt.run("inspect", "--json", core).out()).get("mappings")) {
                if ("[heap]".equals(m.path("name").asText())) {
                    named = m;
                }
            }
            assertThat(named).as("inspect names a heap in %s", core).isNotNull();
            assertThat(Long.decode(named.get("end").asText())).as("%s", core).isEqualTo(end);
            assertThat(Long.decode(named.get("start").asText())).as("%s", core).isLessThanOrEqualTo(start);
        }
    }
}
