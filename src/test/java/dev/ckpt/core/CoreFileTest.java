package dev.ckpt.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader on real cores from gdb and from the kernel. */
class CoreFileTest {

    @TempDir
    Path tmp;

    @Test
    void gdbCoreOfLinklist() throws IOException {
        Path core = TestCores.gdbLinklist(tmp, 1000, 500);
        CoreFile c = CoreFile.open(core);

        assertThat(c.header().type()).isEqualTo(ElfHeader.ET_CORE);
        assertThat(c.header().machine()).isEqualTo(ElfHeader.EM_X86_64);
        assertThat(c.fileSize()).isEqualTo(Files.size(core));
        assertThat(c.threads()).hasSize(1);
        ThreadState t = c.threads().get(0);
        assertThat(t.hasFpregset()).isTrue();
        assertThat(t.xstateSize()).isEqualTo(0xa80); // gdb's MPX-era layout
        assertThat(t.xcr0() & 3).isEqualTo(3); // x87 and SSE at least

        // registers: the same values gdb printed at the checkpoint
        String[] regs = Files.readString(tmp.resolve("regs.txt")).trim().split(" ");
        assertThat(Long.toHexString(t.regs().rip())).isEqualTo(regs[0].substring(4));
        assertThat(Long.toHexString(t.regs().rsp())).isEqualTo(regs[1].substring(4));
        assertThat(Long.toHexString(t.regs().fsBase())).isEqualTo(regs[2].substring(3));
        assertThat(t.regs().get("cs")).isEqualTo(0x33);
        assertThat(t.regs().get("ss")).isEqualTo(0x2b);
        // at line 29 after `continue 500`, i == 501 is in a callee-independent place: rip is in linklist's text
        MappedFile text = c.mappedFiles().stream().filter(f -> f.contains(t.regs().rip())).findFirst().orElseThrow();
        assertThat(text.path()).isEqualTo(TestCores.linklist().toString());

        PrPsInfo ps = c.psinfo().orElseThrow();
        assertThat(ps.fname()).isEqualTo("linklist");
        assertThat(ps.pid()).isEqualTo(t.tid());
        assertThat(ps.psargs()).startsWith(TestCores.linklist().toString());
        assertThat(c.siginfo().orElseThrow().signo()).isEqualTo(5); // SIGTRAP at the breakpoint

        assertThat(c.hasAuxv()).isTrue();
        long entry = c.aux(AuxEntry.AT_ENTRY).orElseThrow();
        assertThat(c.aux(AuxEntry.AT_PAGESZ)).contains(4096L);
        assertThat(c.aux(AuxEntry.AT_SYSINFO_EHDR)).isPresent();
        assertThat(c.executablePath()).contains(TestCores.linklist().toString());
        assertThat(c.mappedFiles().stream().filter(f -> f.contains(entry)).findFirst().orElseThrow().path())
                .isEqualTo(TestCores.linklist().toString());
        assertThat(c.ntFilePageSize()).isEqualTo(1); // gdb gives file offsets in bytes
        assertThat(c.mappedFiles()).anyMatch(f -> f.path().endsWith("/libc.so.6"));

        // gdb's layout: unaligned segment offsets, every PT_LOAD complete
        assertThat(c.loads()).isNotEmpty().allMatch(s -> s.filesz() == s.memsz());
        assertThat(c.loads()).anyMatch(s -> s.offset() % 4096 != 0);
        assertThat(c.notes("GDB")).isNotEmpty();
        // the vsyscall page, high in the unsigned address space
        assertThat(c.loads()).anyMatch(s -> s.vaddr() == 0xffffffffff600000L && s.end() == 0xffffffffff601000L);
        // a segment holds what the process had: linklist's first page is its ELF header
        Segment first = c.loadAt(text.start() - text.fileOffset()).orElseThrow();
        byte[] head = c.readSegment(first, 0, 4);
        assertThat(head).containsExactly(0x7f, 'E', 'L', 'F');
    }

    @Test
    void kernelCoreOfHeap() throws IOException {
        TestCores.KernelCore k = TestCores.kernelCore(tmp, TestCores.nativeTest("heap"));
        CoreFile c = CoreFile.open(k.core());
        assertThat(c.threads()).hasSize(1);
        assertThat(c.threads().get(0).tid()).isEqualTo((int) k.pid());
        assertThat(c.threads().get(0).xstateSize()).isGreaterThanOrEqualTo(576);
        SigInfo si = c.siginfo().orElseThrow();
        assertThat(si.signo()).isEqualTo(3);
        assertThat(si.senderPid()).isEqualTo((int) k.pid()); // raise() sends it to itself
        assertThat(c.threads().get(0).status().cursig()).isEqualTo(3);
        assertThat(c.psinfo().orElseThrow().fname()).isEqualTo("heap");
        // kernel layout: page-aligned segments; read-only file mappings hold only their first page
        assertThat(c.loads()).allMatch(s -> s.offset() % 4096 == 0);
        MappedFile libc = c.mappedFiles().stream().filter(f -> f.path().endsWith("/libc.so.6") && f.fileOffset() == 0)
                .findFirst().orElseThrow();
        Segment s = c.loadAt(libc.start()).orElseThrow();
        assertThat(s.filesz()).isEqualTo(4096);
        assertThat(s.memsz()).isGreaterThan(4096);
        assertThat(c.executablePath()).contains(TestCores.nativeTest("heap").toString());
        // the kernel's own note names are CORE and LINUX only
        Set<String> owners = new HashSet<>();
        c.notes().forEach(n -> owners.add(n.owner()));
        assertThat(owners).containsOnly("CORE", "LINUX");
    }

    @Test
    void refusesWhatIsNotACore() throws IOException {
        Path exe = TestCores.linklist();
        assertThatThrownBy(() -> CoreFile.open(exe)).isInstanceOf(CoreFormatException.class)
                .hasMessage(exe + ": not a core file (ELF ET_DYN (shared object or PIE))");
        Path text = tmp.resolve("text");
        Files.writeString(text, "hello, world\n");
        assertThatThrownBy(() -> CoreFile.open(text)).isInstanceOf(CoreFormatException.class)
                .hasMessage(text + ": not an ELF file (bad magic)");
        Path empty = Files.createFile(tmp.resolve("empty"));
        assertThatThrownBy(() -> CoreFile.open(empty)).isInstanceOf(CoreFormatException.class)
                .hasMessageContaining("not an ELF file");
        assertThatThrownBy(() -> CoreFile.open(tmp.resolve("absent"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> CoreFile.open(tmp)).isInstanceOf(IOException.class);
    }

    @Test
    void shrunkCoreStaysValid() throws IOException {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        byte[] small = TestCores.shrink(c, TestCores.rawNotes(c), 64);
        Path p = tmp.resolve("small");
        Files.write(p, small);
        CoreFile s = CoreFile.open(p);
        assertThat(s.threads().get(0).regs()).isEqualTo(c.threads().get(0).regs());
        assertThat(s.mappedFiles()).isEqualTo(c.mappedFiles());
        assertThat(s.loads()).hasSameSizeAs(c.loads());
        assertThat(List.copyOf(s.auxv())).isEqualTo(c.auxv());
        assertThat(small.length).isLessThan(64 * 1024);
    }

    @Test
    void manyProgramHeadersThroughPnXnum() throws IOException {
        CoreFile c = CoreFile.open(TestCores.sharedGdbLinklist());
        byte[] small = TestCores.shrink(c, TestCores.rawNotes(c), 64);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(small.length + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(small);
        int phnum = b.getShort(56) & 0xffff;
        // section header 0 carries the real count in sh_info, as the kernel writes it past 65534 mappings
        b.putInt(small.length + 44, phnum);
        b.putLong(40, small.length).putShort(58, (short) 64).putShort(60, (short) 1).putShort(56, (short) 0xffff);
        Path p = tmp.resolve("xnum");
        Files.write(p, b.array());
        CoreFile x = CoreFile.open(p);
        assertThat(x.header().phnum()).isEqualTo(phnum);
        assertThat(x.segments()).hasSize(phnum);
        assertThat(x.threads().get(0).regs()).isEqualTo(c.threads().get(0).regs());
    }
}
