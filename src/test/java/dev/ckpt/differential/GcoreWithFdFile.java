package dev.ckpt.differential;

import dev.ckpt.testing.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Method (b), the seed's way: stop the program with SIGSTOP, write a
 * {@code filedescriptors} file from /proc/PID/fd and /proc/PID/fdinfo while it
 * is stopped, then a plain {@code gcore} from gdb attached to the stopped
 * process, and kill it. The core has no CKPT notes; {@code restart --filedes=FILE}
 * reopens the files from the text file, and runs in the program's working
 * directory (a plain core does not hold it).
 */
final class GcoreWithFdFile implements CheckpointMethod {

    @Override
    public String name() {
        return "gcore+fdfile";
    }

    /**
     * gdb's own core cannot carry AVX-512 registers on this kind of CPU (its XSTATE
     * note has the old fixed layout: zmm16-31, the upper halves of zmm0-15 and k0-7
     * read as zeros), and glibc's memcpy uses them wherever the CPU has them: a
     * program stopped inside such a memcpy would resume with zeros (seen with zstd
     * and xz -T2). A plain gcore is only exact for a program that does not use
     * AVX-512, so this method runs the programs with glibc's AVX-512 code turned
     * off (docs/LIMITS.md). The other methods keep the full XSAVE area.
     */
    @Override
    public Map<String, String> environment() {
        return Map.of("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD");
    }

    @Override
    public List<String> checkpoint(Process program, Path work, Path images) throws Exception {
        long pid = program.pid();
        Run stop = Run.of("kill", "-STOP", Long.toString(pid)).timeout(Duration.ofSeconds(10)).go();
        if (!waitStopped(pid)) {
            if (Differential.endedOnItsOwn(program)) {
                return null;
            }
            throw new AssertionError("process " + pid + " did not stop: " + stop);
        }
        Path fds = images.resolve("filedescriptors");
        Files.writeString(fds, describeFiles(pid), StandardCharsets.UTF_8);
        Path core = images.resolve("core");
        Run gdb = Run.of("gdb", "-nx", "-batch", "-p", Long.toString(pid), "-ex", "gcore " + core, "-ex", "kill")
                .timeout(Duration.ofSeconds(90)).go();
        if (!Files.exists(core)) {
            throw new AssertionError("gcore of the stopped process wrote no core: " + gdb);
        }
        return List.of("--filedes=" + fds, core.toString());
    }

    /** Waits until /proc/PID/status says the process is stopped; false when it ended. */
    static boolean waitStopped(long pid) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until) {
            String state;
            try {
                state = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                        .filter(l -> l.startsWith("State:")).findFirst().orElse("");
            } catch (IOException e) {
                return false;
            }
            if (state.contains("(stopped)")) {
                return true;
            }
            if (state.contains("zombie") || state.contains("dead")) {
                return false;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("process " + pid + " still not stopped 10 s after SIGSTOP");
    }

    /** The seed's text format: {@code <fd> : <path> : <offset> : <flags>}, flags octal as fdinfo shows. */
    static String describeFiles(long pid) throws IOException {
        Map<Integer, String> lines = new TreeMap<>();
        Path fdDir = Path.of("/proc/" + pid + "/fd");
        List<Path> entries = new ArrayList<>();
        try (var s = Files.list(fdDir)) {
            s.forEach(entries::add);
        }
        for (Path link : entries) {
            int fd = Integer.parseInt(link.getFileName().toString());
            String target;
            List<String> info;
            try {
                target = Files.readSymbolicLink(link).toString();
                info = Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd));
            } catch (NoSuchFileException e) {
                continue;
            }
            String pos = field(info, "pos:");
            String flags = field(info, "flags:");
            lines.put(fd, fd + " : " + target + " : " + pos + " : " + flags + "\n");
        }
        return String.join("", lines.values());
    }

    private static String field(List<String> info, String name) {
        return info.stream().filter(l -> l.startsWith(name)).map(l -> l.substring(name.length()).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no '" + name + "' in fdinfo " + info));
    }
}
