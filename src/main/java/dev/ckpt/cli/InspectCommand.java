package dev.ckpt.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ckpt inspect CORE [--json]}: what is in a checkpoint. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show what is in a checkpoint: program, its own arguments, pid, where it stopped "
                + "(function and file:line, from gdb), how it was taken, whether it is a crash, signal, threads "
                + "and registers, every mapping and where its content comes from, the files it refers to and "
                + "whether they still match, the CKPT notes, and the commands that restart or debug it.",
            "Exit status: 0 shown, 2 not a usable core."})
public final class InspectCommand extends CoreCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CORE", description = "the checkpoint (an ELF core file)")
    Path core;

    @Option(names = "--json", description = "print JSON for scripts (fields: docs/INSPECT.md)")
    boolean json;

    @Option(names = "--no-symbols", description = "do not run gdb to name the place where the process stopped")
    boolean noSymbols;

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() {
        Loaded l;
        try {
            l = load(core);
        } catch (Unusable u) {
            return unusable(u);
        }
        CoreReport r = CoreReport.build(l.core(), l.image());
        Provenance p = Provenance.of(l.core(), l.image(), r, !noSymbols);
        PrintWriter out = out();
        if (json) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = JSON.convertValue(r, java.util.LinkedHashMap.class);
                m.put("argv", p.argv());
                m.put("argvFrom", p.argvFrom());
                m.put("location", p.location());
                m.put("takenBy", p.takenBy());
                m.put("crash", p.crash());
                out.println(JSON.writeValueAsString(m));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            print(out, r, p);
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String size(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return fmt(n / 1024.0) + " KiB";
        }
        if (n < 1024L * 1024 * 1024) {
            return fmt(n / (1024.0 * 1024)) + " MiB";
        }
        return fmt(n / (1024.0 * 1024 * 1024)) + " GiB";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format("%.1f", d);
    }

    static void print(PrintWriter out, CoreReport r, Provenance p) {
        String onDisk = DiskUsage.of(Path.of(r.file())).stream().mapToObj(b -> ", " + size(b) + " on disk").findFirst()
                .orElse("");
        TextTable head = new TextTable("", "core", r.file() + " (" + size(r.fileSize()) + onDisk + ", written by "
                + r.writer() + ")");
        head.row("program", (r.program() == null ? "?" : r.program())
                + (r.executable() == null ? "" : "  " + r.executable()));
        head.row("arguments", p.argvFrom().equals("memory") ? shellLine(p.argv()) : r.arguments());
        head.row("pid", r.pid() + (r.ppid() == null ? "" : " (ppid " + r.ppid() + ", uid " + r.uid() + ", gid " + r.gid() + ")"));
        CoreReport.Signal s = r.signal();
        StringBuilder sig = new StringBuilder(s.name() + " (" + s.number() + ")");
        if (s.code() != null) {
            sig.append(", code ").append(s.code());
        }
        if (s.addr() != null) {
            sig.append(", address ").append(s.addr());
        }
        if (s.senderPid() != null && s.senderPid() != 0) {
            sig.append(", sent by pid ").append(s.senderPid());
        }
        head.row("signal", sig);
        if (p.location() != null) {
            head.row("stopped in", p.location());
        }
        head.row("taken by", p.takenBy());
        if (p.crash() != null) {
            head.row("crash", p.crash().signal() + (p.crash().address() != null ? " at address " + p.crash().address() : "")
                    + ": ckpt debug brings the process back to life, stopped there");
        } else {
            head.row("crash", "no");
        }
        head.row("threads", r.threads().size());
        head.print(out);

        for (CoreReport.Thread t : r.threads()) {
            out.println();
            out.println("thread " + t.tid() + ": signal " + Signals.name(t.signal()) + ", pending " + t.sigpending()
                    + ", blocked " + t.sigblocked() + ", fpregset " + (t.fpregset() ? "yes" : "no") + ", xstate "
                    + (t.xstateSize() > 0 ? t.xstateSize() + " bytes (xcr0 " + t.xcr0() + ")" : "none"));
            TextTable regs = new TextTable("  ");
            Object[] row = new Object[8];
            int i = 0;
            for (Map.Entry<String, String> e : t.registers().entrySet()) {
                row[i++] = e.getKey();
                row[i++] = e.getValue();
                if (i == row.length) {
                    regs.row(row.clone());
                    i = 0;
                }
            }
            if (i > 0) {
                regs.row(java.util.Arrays.copyOf(row, i));
            }
            printSkippingHeader(out, regs);
        }

        out.println();
        out.println("mappings (" + r.mappings().size() + ")");
        TextTable m = new TextTable("  ", "START", "END", "PERM", "SIZE", "SOURCE", "NAME");
        for (CoreReport.Mapping x : r.mappings()) {
            String src = x.source();
            if (x.coreBytes() > 0 && !x.source().equals("core")) {
                src += " (" + size(x.coreBytes()) + " in core)";
            }
            String name = x.name() == null ? "" : x.name();
            if (x.file() != null) {
                name = x.file() + " @" + CoreReport.hex(x.fileOffset());
                if (x.name() != null && !x.name().equals(x.file())) {
                    name = x.name() + "  " + name;
                }
            }
            m.row(x.start(), x.end(), x.perms() == null ? "?" : x.perms(), size(x.size()), src, name);
        }
        m.print(out);

        out.println();
        out.println("files (" + r.files().size() + ")");
        if (!r.files().isEmpty()) {
            TextTable f = new TextTable("  ", "STATUS", "USE", "PATH", "");
            for (CoreReport.FileRef x : r.files()) {
                String how = x.checkedBy() == null ? "" : "by " + x.checkedBy();
                if (x.detail() != null) {
                    how = how.isEmpty() ? x.detail() : how + ": " + x.detail();
                }
                f.row(x.status(), String.join(",", x.uses()), x.path(), how);
            }
            f.print(out);
        }

        out.println();
        out.println("notes (" + r.notes().size() + ")");
        TextTable nt = new TextTable("  ", "OWNER", "TYPE", "SIZE", "OFFSET");
        for (CoreReport.NoteInfo n : r.notes()) {
            nt.row(n.owner(), n.type(), n.size(), n.offset());
        }
        nt.print(out);

        out.println();
        CoreReport.Ckpt c = r.ckpt();
        if (!c.present()) {
            out.println("ckpt notes: none (a plain core: open files, signal handlers, cwd and rseq were not saved;");
            out.println("            restart uses its defaults, or a filedescriptors file given with -f)");
        } else {
            out.println("ckpt notes:");
            TextTable t = new TextTable("  ", "version", c.version() == null ? "?" : c.version() + " (written by "
                    + c.writer() + ", " + c.nthreads() + " thread(s))");
            t.row("cwd", c.cwd());
            t.row("sigmask", c.sigmask());
            t.row("tid address", c.tidAddress());
            t.row("rseq", c.rseq() == null ? null : c.rseq().addr() + " len " + c.rseq().len() + " sig " + c.rseq().sig());
            t.row("xstate", c.xstateSize() == null ? null : c.xstateSize() + " bytes");
            t.row("mm", c.mm() == null ? null : "code " + c.mm().startCode() + "-" + c.mm().endCode() + ", brk "
                    + c.mm().startBrk() + "-" + c.mm().brk() + ", stack " + c.mm().startStack());
            if (!c.unknownTypes().isEmpty()) {
                t.row("unknown types", c.unknownTypes());
            }
            t.print(out);
            if (!c.files().isEmpty()) {
                out.println("  open files (" + c.files().size() + ")");
                TextTable f = new TextTable("    ", "FD", "KIND", "FLAGS", "OFFSET", "PATH");
                for (CoreReport.OpenFile o : c.files()) {
                    f.row(o.fd() + (o.cloexec() ? " (cloexec)" : "") + (o.shareId() != o.fd() ? " =" + o.shareId() : ""),
                            o.kind(), o.flags(), o.offset(), o.path());
                }
                f.print(out);
            }
            if (!c.sigactions().isEmpty()) {
                out.println("  signal actions (not SIG_DFL: " + c.sigactions().size() + ")");
                TextTable f = new TextTable("    ", "SIGNAL", "HANDLER", "FLAGS", "MASK");
                for (CoreReport.SigAction a : c.sigactions()) {
                    f.row(a.name(), a.handler(), a.flags(), a.mask());
                }
                f.print(out);
            }
            if (!c.maps().isEmpty()) {
                out.println("  maps: " + c.maps().size() + " records (in the mappings table above)");
            }
        }
        out.println();
        out.println("restart    " + r.restartCommand());
        out.println("debug      ckpt debug " + dev.ckpt.gdb.ShellWords.shell(r.file()));
    }

    /** argv as one line a shell would split back into the same words. */
    static String shellLine(List<String> argv) {
        StringBuilder b = new StringBuilder();
        for (String a : argv) {
            b.append(b.length() == 0 ? "" : " ").append(dev.ckpt.gdb.ShellWords.shell(a));
        }
        return b.toString();
    }

    private static void printSkippingHeader(PrintWriter out, TextTable t) {
        java.io.StringWriter sw = new java.io.StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        t.print(pw);
        pw.flush();
        List<String> lines = sw.toString().lines().toList();
        for (int i = 1; i < lines.size(); i++) {
            out.println(lines.get(i));
        }
    }
}
