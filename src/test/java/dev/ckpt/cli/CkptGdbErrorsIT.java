package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way ckpt-gdb can fail: a one-line message, its own exit status, and no
 * process left behind (gdb, the shell, the program, the engine).
 */
class CkptGdbErrorsIT {
    @TempDir
    Path dir;

    /** The one line ckpt-gdb wrote last; checks it is the only error line. */
    static String errorLine(Launch r) {
        List<String> lines = r.ckptLines("ckpt-gdb");
        assertThat(lines).as("%s", r).isNotEmpty();
        return lines.get(lines.size() - 1);
    }

    @Test
    void noSuchProgram() throws Exception {
        Launch r = Launch.of(Launch.ckptGdb(), dir.resolve("nosuch"), "--input", "3").dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err).isEqualTo("ckpt-gdb: " + dir.resolve("nosuch") + ": no such program\n");
        assertThat(r.out).isEmpty();
        r.assertNoStrays(dir.toString());
    }

    @Test
    void notAProgram() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Launch r = Launch.of(Launch.ckptGdb(), text).dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err).isEqualTo("ckpt-gdb: " + text + ": not an executable file\n");
        // executable, but not a program gdb can debug
        Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        script.toFile().setExecutable(true);
        Launch s = Launch.of(Launch.ckptGdb(), script, "--no-restart").dir(dir).go();
        assertThat(s.exit).as("%s", s).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(s.err.lines().count()).as("%s", s).isEqualTo(1);
        assertThat(errorLine(s)).startsWith("ckpt-gdb: " + script + ": ").contains("format");
        s.assertNoStrays(script.toString());
    }

    @Test
    void locationNotFound() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "nosuch.c:3", "--input", "3").dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.CKPT_FAILED);
        assertThat(r.err).isEqualTo("ckpt-gdb: breakpoint nosuch.c:3: No source file named nosuch.c\n");
        assertThat(r.sawGdb()).isTrue();
        r.assertNoStrays(prog.toString());
        Launch l = Launch.of(Launch.ckptGdb(), prog, "--break", "9999", "--input", "3").dir(dir).go();
        assertThat(l.exit).as("%s", l).isEqualTo(ExitCodes.CKPT_FAILED);
        assertThat(l.err).startsWith("ckpt-gdb: breakpoint 9999: No line 9999 in");
        l.assertNoStrays(prog.toString());
    }

    /** The program ends before it ever reaches the location. */
    @Test
    void programExitsBeforeTheBreakpoint() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--input", "x").dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.CKPT_FAILED);
        assertThat(errorLine(r)).isEqualTo("ckpt-gdb: " + prog.getFileName()
                + " exited with status 2 before the checkpoint: 29 was never hit, the checkpoint is at hit 1");
        // the program's own complaint went to stderr, as without gdb
        assertThat(r.err).contains("linklist: expected a number\n");
        r.assertNoStrays(prog.toString());
    }

    /** The program ends after some hits, but before N continues. */
    @Test
    void programExitsBeforeNContinues() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--cont", "500", "--input", "30").dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.CKPT_FAILED);
        assertThat(errorLine(r)).isEqualTo("ckpt-gdb: " + prog.getFileName()
                + " exited with status 0 before the checkpoint: 29 was hit 30 times, the checkpoint is at hit 501");
        // it ran to its end: its whole output is there
        assertThat(r.out).isEqualTo(CkptGdbIT.numbers(30));
        r.assertNoStrays(prog.toString());
    }

    @Test
    void gdbNamedButMissing() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--input", "3").env("CKPT_GDB", "/nonexistent/gdb").dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(r.err).isEqualTo("ckpt-gdb: gdb not found: /nonexistent/gdb (named by CKPT_GDB / ckpt.gdb)"
                + " is not an executable file\n");
        r.assertNoStrays(prog.toString());
    }

    @Test
    void gdbNotOnThePath() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Launch r = Launch.of(Launch.java(), "-XX:-UsePerfData", "-Dckpt.target=" + Build.target(), "-Dckpt.basedir=" + Build.basedir(),
                "-jar", Build.target().resolve("ckpt.jar"), "gdb", prog, "--input", "3")
                .env("PATH", dir.resolve("empty-bin").toString()).dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(r.err).isEqualTo("ckpt-gdb: gdb not found on the PATH: install it (Debian/Ubuntu: apt-get install gdb)\n");
        r.assertNoStrays(prog.toString());
    }

    /** gdb is killed while the program runs towards hit N+1: exit 125, the program killed too. */
    @Test
    void gdbKilledMidRun() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        String[] killed = new String[1];
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--cont", "99999999", "--input", "100000000")
                .dir(dir).whileRunning(p -> killed[0] = killGdbOnceTheProgramRuns(p, prog)).go();
        assertThat(killed[0]).as("%s", r).startsWith("killed gdb");
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.CKPT_FAILED);
        assertThat(errorLine(r)).startsWith("ckpt-gdb: gdb was killed by signal 9").contains("while running");
        r.assertNoStrays(prog.toString());
    }

    static String killGdbOnceTheProgramRuns(Process p, Path prog) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && p.isAlive()) {
            Optional<ProcessHandle> gdb = p.descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/gdb")).orElse(false)).findFirst();
            boolean programRuns = p.descendants()
                    .anyMatch(h -> h.info().command().map(c -> c.equals(prog.toString())).orElse(false));
            if (gdb.isPresent() && programRuns) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return "interrupted";
                }
                gdb.get().destroyForcibly();
                return "killed gdb " + gdb.get().pid();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return "interrupted";
            }
        }
        return "gdb or the program never showed up";
    }

    /** ckpt-save cannot write the image: exit 125, nothing at the final name, nothing left running. */
    @Test
    void checkpointCannotBeWritten() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        Path core = Path.of("/proc/ckpt-test-" + ProcessHandle.current().pid() + ".core");
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--cont", "5", "--input", "100", "--core", core)
                .dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.CKPT_FAILED);
        assertThat(errorLine(r)).startsWith("ckpt-gdb: checkpoint " + core + ": ");
        assertThat(core).doesNotExist();
        assertThat(r.out).isEmpty();
        r.assertNoStrays(prog.toString());
    }

    /** Ctrl-C (SIGINT to ckpt-gdb) while the program runs under gdb: everything goes. */
    @Test
    void interruptedWhileRunning() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("linklist"), dir);
        String[] sent = new String[1];
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "29", "--cont", "99999999", "--input", "100000000")
                .dir(dir).whileRunning(p -> sent[0] = interruptOnceTheProgramRuns(p, prog)).go();
        assertThat(sent[0]).as("%s", r).isEqualTo("sent SIGINT");
        assertThat(r.exit).as("%s", r).isEqualTo(130);
        r.assertNoStrays(prog.toString());
    }

    static String interruptOnceTheProgramRuns(Process p, Path prog) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < end && p.isAlive()) {
                if (p.descendants().anyMatch(h -> h.info().command().map(c -> c.equals(prog.toString())).orElse(false))) {
                    Thread.sleep(300);
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
                    return "sent SIGINT";
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            return e.toString();
        }
        return "the program never showed up";
    }

    /** SIGINT to ckpt-gdb while the restarted process runs: the engine and the program go too. */
    @Test
    void interruptedWhileRestarted() throws Exception {
        Path prog = Launch.uniqueCopy(Build.example("fprintf"), dir);
        String[] sent = new String[1];
        Launch r = Launch.of(Launch.ckptGdb(), prog, "--break", "main", "--", "-", "1000")
                .env("FPRINTF_DELAY_MS", "100").dir(dir).whileRunning(p -> sent[0] = interruptOnceRestarted(p)).go();
        assertThat(sent[0]).as("%s", r).isEqualTo("sent SIGINT");
        assertThat(r.exit).as("%s", r).isEqualTo(130);
        // the restarted program wrote on (its lines and ckpt-gdb's progress lines interleave as they come)
        assertThat(r.err).contains("ckpt-gdb: restarting from ");
        assertThat(r.err.lines()).contains("1", "2");
        r.assertNoStrays(prog.toString());
    }

    static String interruptOnceRestarted(Process p) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < end && p.isAlive()) {
                if (p.descendants().anyMatch(h -> h.info().command().map(c -> c.endsWith("/restart")).orElse(false))) {
                    Thread.sleep(500);
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
                    return "sent SIGINT";
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            return e.toString();
        }
        return "the restart never showed up";
    }

    @Test
    void usageErrors() throws Exception {
        Path prog = Build.example("linklist");
        Launch both = Launch.of(Launch.ckptGdb(), prog, "--input", "3", "--stdin", "/dev/null").dir(dir).go();
        assertThat(both.exit).as("%s", both).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(both.err).startsWith("ckpt gdb: --input=TEXT, --stdin=FILE are mutually exclusive")
                .endsWith("\nTry 'ckpt gdb --help' for more information.\n");
        assertThat(both.err.lines()).hasSize(2);
        Launch notNumber = Launch.of(Launch.ckptGdb(), prog, "--cont", "many").dir(dir).go();
        assertThat(notNumber.exit).isEqualTo(ExitCodes.BAD_INPUT);
        Launch negative = Launch.of(Launch.ckptGdb(), prog, "--cont", "-1").dir(dir).go();
        assertThat(negative.exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(negative.err).isEqualTo("ckpt-gdb: --cont -1: must not be negative\n");
        Launch none = Launch.of(Launch.ckptGdb()).dir(dir).go();
        assertThat(none.exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(none.err).isEqualTo("ckpt gdb: Missing required parameter: 'PROGRAM'\n"
                + "Try 'ckpt gdb --help' for more information.\n");
        Launch missingStdin = Launch.of(Launch.ckptGdb(), prog, "--stdin", dir.resolve("nosuch")).dir(dir).go();
        assertThat(missingStdin.exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(missingStdin.err).isEqualTo("ckpt-gdb: " + dir.resolve("nosuch") + ": cannot read it (--stdin)\n");
    }
}
