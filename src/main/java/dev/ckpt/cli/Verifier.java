package dev.ckpt.cli;

import dev.ckpt.core.CoreFile;
import dev.ckpt.core.ThreadState;
import dev.ckpt.image.CkptImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** "Can this checkpoint be restarted here?": the problems {@code ckpt verify} reports. */
final class Verifier {
    private Verifier() {}

    /** One problem: a stable kind for scripts, and a sentence for people. */
    record Problem(String kind, String message) {}

    /**
     * The problems restarting {@code core} here would meet. {@code exeArg} is the
     * executable given on the command line, or null to take the one the core names.
     */
    static List<Problem> problems(CoreFile core, CkptImage img, CoreReport report, Path exeArg) {
        List<Problem> out = new ArrayList<>();
        String exeName = report.executable();
        if (exeArg != null) {
            if (!Files.exists(exeArg)) {
                out.add(new Problem("executable-missing", "executable " + exeArg + " does not exist"));
            } else if (!Files.isRegularFile(exeArg) || !Files.isExecutable(exeArg)) {
                out.add(new Problem("executable-missing", "executable " + exeArg + " is not an executable file"));
            } else if (exeName != null) {
                CoreReport.FileRef r = CoreReport.check(core, img, exeName, exeArg, List.of("executable"), true);
                if (r.status().equals("changed")) {
                    out.add(new Problem("executable-changed", "executable " + exeArg + " is not the program "
                            + "checkpointed (" + exeName + "): " + r.detail()));
                }
            }
        } else if (exeName == null) {
            out.add(new Problem("no-executable", "the core names no executable (no NT_FILE note): give it as an argument"));
        }
        for (CoreReport.FileRef f : report.files()) {
            boolean isExe = f.uses().contains("executable");
            if (isExe && exeArg != null) {
                continue; // checked above, against the file given
            }
            String what = isExe ? "executable" : f.uses().contains("mapped") ? "mapped file" : "open file ("
                    + String.join(", ", f.uses()) + ")";
            boolean openOnly = !isExe && !f.uses().contains("mapped");
            String kindBase = isExe ? "executable" : openOnly ? "open-file" : "file";
            boolean matters = isExe || f.needed() || !f.uses().contains("mapped") || f.uses().size() > 1;
            if (!matters) {
                continue;
            }
            switch (f.status()) {
                case "missing" -> out.add(new Problem(kindBase + "-missing", what + " " + f.path() + " is missing"));
                case "deleted" -> out.add(new Problem(kindBase + "-missing", what + " " + f.path()));
                case "changed" -> out.add(new Problem(kindBase + "-changed", what + " " + f.path()
                        + " changed since the checkpoint: " + f.detail()));
                default -> { }
            }
        }
        if (img.cwd().isPresent() && !Files.isDirectory(Path.of(img.cwd().get()))) {
            out.add(new Problem("cwd-missing", "working directory " + img.cwd().get() + " is missing"));
        }
        long nthreads = img.version().map(CkptImage.Version::nthreads).orElse(0L);
        if (nthreads > core.threads().size()) {
            out.add(new Problem("threads-missing", "the process had " + nthreads + " threads, the core holds "
                    + core.threads().size() + " of them"));
        }
        Set<String> lacking = new LinkedHashSet<>();
        Set<String> flags = cpuFlags();
        for (ThreadState t : core.threads()) {
            long x = t.xcr0();
            check(lacking, flags, x, 1L << 2, "avx");
            check(lacking, flags, x, 0xe0L, "avx512f");
            check(lacking, flags, x, 1L << 9, "pku");
            check(lacking, flags, x, 3L << 17, "amx_tile");
        }
        if (!lacking.isEmpty()) {
            out.add(new Problem("foreign-machine", "the core holds CPU state this machine lacks ("
                    + String.join(", ", lacking) + "): it was made on another kind of CPU"));
        }
        long page = core.aux(6).orElse(4096L);
        if (page != 4096) {
            out.add(new Problem("foreign-machine", "the core was made with page size " + page + ", this machine's is 4096"));
        }
        return out;
    }

    private static void check(Set<String> lacking, Set<String> flags, long xcr0, long bits, String flag) {
        if ((xcr0 & bits) != 0 && !flags.isEmpty() && !flags.contains(flag)) {
            lacking.add(flag);
        }
    }

    private static Set<String> cpuFlags;

    /** The CPU flags of /proc/cpuinfo (empty when unreadable: then nothing is checked). */
    static synchronized Set<String> cpuFlags() {
        if (cpuFlags == null) {
            Set<String> s = new HashSet<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("flags")) {
                        int c = line.indexOf(':');
                        for (String f : line.substring(c + 1).trim().split("\\s+")) {
                            s.add(f);
                        }
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                s.clear();
            }
            cpuFlags = Set.copyOf(s);
        }
        return cpuFlags;
    }
}
