package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ckpt.core.TestCores;
import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ckpt inspect} on real cores: gdb (linklist), kernel (heap), ckpt-save (CKPT notes). */
class InspectIT {
    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    static String[] gdbRegs(Path dir) throws IOException {
        return Files.readString(dir.resolve("regs.txt")).trim().split(" ");
    }

    @Test
    void linklistCoreShowsProgramRegistersAndHeap() throws IOException {
        Path core = TestCores.gdbLinklist(tmp, 1000, 500);
        Ckpt r = Ckpt.run("inspect", core);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        String out = r.out();
        assertThat(out).containsPattern("program +linklist  " + java.util.regex.Pattern.quote(TestCores.linklist().toString()));
        // gdb names the place; the program's own argv has no redirections; a gdb core is no crash
        assertThat(out).containsPattern("stopped in +main \\(\\) at \\.\\./examples/linklist\\.c:29\n");
        assertThat(out).containsPattern("arguments +" + java.util.regex.Pattern.quote(TestCores.linklist().toString()) + "\n");
        assertThat(out).containsPattern("taken by +gdb\n");
        assertThat(out).containsPattern("crash +no\n");
        assertThat(out).containsPattern("signal +SIGTRAP \\(5\\)");
        assertThat(out).containsPattern("threads +1\n");
        String rip = gdbRegs(tmp)[0].substring(4);
        assertThat(out).containsPattern("rip +0x" + rip + "\\s");
        assertThat(out).containsPattern("rsp +0x" + gdbRegs(tmp)[1].substring(4) + "\\s");
        // the heap: anonymous, read-write, wholly in the core
        assertThat(out).containsPattern("0x[0-9a-f]+ +0x[0-9a-f]+ +rw- +[0-9.]+ KiB +core +\\[heap\\]");
        assertThat(out).containsPattern("rw- +[0-9.]+ KiB +core +\\[stack\\]");
        assertThat(out).containsPattern("r-x +[0-9.]+ KiB +core +\\[vdso\\]");
        // read-only parts gdb leaves out come from the file
        assertThat(out).containsPattern("r-x +[0-9.]+ MiB +file +/\\S+/libc.so.6 @0x");
        assertThat(out).containsPattern("matches +executable,mapped +" + TestCores.linklist() + " +by first page");
        assertThat(out).contains("ckpt notes: none");
        assertThat(out).contains("restart    ckpt restart " + core);
        assertThat(out).contains("debug      ckpt debug " + core);
    }

    @Test
    void linklistCoreAsJson() throws IOException {
        Path core = TestCores.gdbLinklist(tmp, 1000, 500);
        Ckpt r = Ckpt.run("inspect", "--json", core);
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("file").asText()).isEqualTo(core.toString());
        assertThat(j.get("fileSize").asLong()).isEqualTo(Files.size(core));
        assertThat(j.get("writer").asText()).isEqualTo("gdb");
        assertThat(j.get("program").asText()).isEqualTo("linklist");
        assertThat(j.get("executable").asText()).isEqualTo(TestCores.linklist().toString());
        assertThat(j.get("arguments").asText()).startsWith(TestCores.linklist().toString());
        int pid = j.get("pid").asInt();
        assertThat(pid).isPositive();
        assertThat(j.get("signal").get("number").asInt()).isEqualTo(5);
        assertThat(j.get("signal").get("name").asText()).isEqualTo("SIGTRAP");
        JsonNode t = j.get("threads").get(0);
        assertThat(j.get("threads")).hasSize(1);
        assertThat(t.get("tid").asInt()).isEqualTo(pid);
        assertThat(t.get("registers").get("rip").asText()).isEqualTo("0x" + gdbRegs(tmp)[0].substring(4));
        assertThat(t.get("registers").get("fs_base").asText()).isEqualTo("0x" + gdbRegs(tmp)[2].substring(3));
        assertThat(t.get("registers")).hasSize(27);
        assertThat(t.get("fpregset").asBoolean()).isTrue();
        assertThat(t.get("xstateSize").asInt()).isEqualTo(2688);
        JsonNode heap = null;
        for (JsonNode m : j.get("mappings")) {
            if ("[heap]".equals(m.get("name").asText(null))) {
                heap = m;
            }
        }
        assertThat(heap).as("a [heap] mapping").isNotNull();
        assertThat(heap.get("perms").asText()).isEqualTo("rw-");
        assertThat(heap.get("source").asText()).isEqualTo("core");
        assertThat(heap.get("coreBytes").asLong()).isEqualTo(heap.get("size").asLong()).isPositive();
        assertThat(heap.get("file").isNull()).isTrue();
        assertThat(Long.decode(heap.get("end").asText()) - Long.decode(heap.get("start").asText()))
                .isEqualTo(heap.get("size").asLong());
        JsonNode exe = j.get("files").get(0);
        assertThat(exe.get("path").asText()).isEqualTo(TestCores.linklist().toString());
        assertThat(exe.get("uses").toString()).contains("executable");
        assertThat(exe.get("status").asText()).isEqualTo("matches");
        assertThat(exe.get("exists").asBoolean()).isTrue();
        assertThat(j.get("ckpt").get("present").asBoolean()).isFalse();
        assertThat(j.get("auxv").toString()).contains("AT_ENTRY").contains("AT_SYSINFO_EHDR");
        assertThat(j.get("restartCommand").asText()).isEqualTo("ckpt restart " + core);
        assertDocumented(j);
    }

    @Test
    void kernelCoreAsJson() throws IOException {
        TestCores.KernelCore k = TestCores.kernelCore(tmp, TestCores.nativeTest("heap"));
        Ckpt r = Ckpt.run("inspect", "--json", k.core());
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("writer").asText()).isEqualTo("kernel");
        assertThat(j.get("pid").asLong()).isEqualTo(k.pid());
        assertThat(j.get("signal").get("name").asText()).isEqualTo("SIGQUIT");
        assertThat(j.get("signal").get("senderPid").asLong()).isEqualTo(k.pid());
        List<String> sources = new ArrayList<>();
        for (JsonNode m : j.get("mappings")) {
            sources.add(m.get("source").asText() + " " + m.get("name").asText(""));
        }
        // the kernel keeps the first page of ELF mappings, the rest comes from the file
        assertThat(sources).anyMatch(s -> s.startsWith("core+file ") && s.endsWith("/libc.so.6"));
        assertThat(sources).anyMatch(s -> s.equals("core [heap]"));
        assertThat(sources).anyMatch(s -> s.equals("core [vvar]"));
        for (JsonNode f : j.get("files")) {
            assertThat(f.get("status").asText()).as(f.toString()).isEqualTo("matches");
            assertThat(f.get("checkedBy").asText()).isEqualTo("first page");
            assertThat(f.get("needed").asBoolean()).isTrue();
        }
        assertDocumented(j);
    }

    @Test
    void ckptSaveImageShowsItsNotes() throws Exception {
        Path input = tmp.resolve("input");
        Files.writeString(input, "1000\n");
        Path core = Checkpoints.ckptSave(tmp, Build.example("linklist"), "29", 500, input, "core.ckpt").core();
        Ckpt r = Ckpt.run("inspect", core);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("version +1 \\(written by gdb, 1 thread\\(s\\)\\)");
        assertThat(r.out()).containsPattern("cwd +" + tmp);
        assertThat(r.out()).containsPattern("0 +reg +0100000 +5 +" + input);
        assertThat(r.out()).containsPattern("matches +executable,mapped +" + Build.example("linklist") + " +by size\\+mtime");
        assertThat(r.out()).containsPattern("r--  +[0-9.]+ KiB +zero +\\[vvar\\]");
        JsonNode j = JSON.readTree(Ckpt.run("inspect", "--json", core).out());
        JsonNode c = j.get("ckpt");
        assertThat(c.get("present").asBoolean()).isTrue();
        assertThat(c.get("version").asInt()).isEqualTo(1);
        assertThat(c.get("writer").asText()).isEqualTo("gdb");
        assertThat(c.get("cwd").asText()).isEqualTo(tmp.toString());
        assertThat(c.get("files").get(0).get("path").asText()).isEqualTo(input.toString());
        assertThat(c.get("files").get(0).get("offset").asLong()).isEqualTo(5);
        assertThat(c.get("rseq").get("sig").asText()).isEqualTo("0x53053053");
        assertThat(c.get("maps").size()).isGreaterThan(10);
        assertThat(c.get("mm").get("startBrk").asText()).startsWith("0x");
        assertDocumented(j);
    }

    @Test
    void refusesWhatIsNotACore() throws IOException {
        Ckpt r = Ckpt.run("inspect", TestCores.linklist());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("ckpt inspect: " + TestCores.linklist()
                + ": not a core file (ELF ET_DYN (shared object or PIE))\n");
        Ckpt missing = Ckpt.run("inspect", tmp.resolve("nothing"));
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("ckpt inspect: " + tmp.resolve("nothing") + ": no such file\n");
        assertThat(Ckpt.run("inspect").status()).isEqualTo(2); // usage
    }

    /** Every field name --json printed is documented in docs/INSPECT.md as `name`. */
    static void assertDocumented(JsonNode j) throws IOException {
        String doc = Files.readString(Build.basedir().resolve("docs/INSPECT.md"));
        Set<String> names = new TreeSet<>();
        collect(j, names, false);
        Set<String> missing = new TreeSet<>();
        for (String n : names) {
            if (!doc.contains("`" + n + "`")) {
                missing.add(n);
            }
        }
        assertThat(missing).as("JSON fields not documented in docs/INSPECT.md").isEmpty();
    }

    private static void collect(JsonNode n, Set<String> names, boolean registers) {
        if (n.isObject()) {
            Iterator<String> it = n.fieldNames();
            while (it.hasNext()) {
                String f = it.next();
                if (!registers) {
                    names.add(f);
                }
                collect(n.get(f), names, f.equals("registers"));
            }
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                collect(e, names, false);
            }
        }
    }

    /** A core naming a FIFO as a mapped file must not make inspect open it and block. */
    @Test
    void doesNotOpenFifosNamedByACore() throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertThat(TestCores.run(List.of("mkfifo", fifo.toString()), tmp, java.util.Map.of(), 10).status()).isZero();
        dev.ckpt.core.CoreFile c = dev.ckpt.core.CoreFile.open(TestCores.sharedGdbLinklist());
        List<byte[]> notes = new ArrayList<>();
        for (int i = 0; i < c.notes().size(); i++) {
            dev.ckpt.core.Note n = c.notes().get(i);
            if (n.type() == dev.ckpt.core.Note.NT_FILE) {
                dev.ckpt.core.MappedFile f = c.mappedFiles().get(0);
                byte[] name = (fifo + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                java.nio.ByteBuffer d = java.nio.ByteBuffer.allocate(16 + 24 + name.length)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                d.putLong(1).putLong(4096).putLong(f.start()).putLong(f.end()).putLong(0).put(name);
                notes.add(TestCores.note("CORE", n.type(), d.array()));
            } else {
                notes.add(TestCores.rawNotes(c).get(i));
            }
        }
        Path core = tmp.resolve("core.fifo");
        Files.write(core, TestCores.shrink(c, notes, 4096));
        Ckpt r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> Ckpt.run("inspect", "--json", core));
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode f = JSON.readTree(r.out()).get("files").get(0);
        assertThat(f.get("path").asText()).isEqualTo(fifo.toString());
        assertThat(f.get("status").asText()).isEqualTo("unchecked");
        assertThat(f.get("detail").asText()).isEqualTo("not a regular file");
        Ckpt v = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> Ckpt.run("verify", core));
        assertThat(v.status()).isIn(0, 1);
    }
}
