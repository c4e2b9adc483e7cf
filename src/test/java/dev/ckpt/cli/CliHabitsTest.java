package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every subcommand's help exits 0; a usage error is two lines ending with where to read more. */
class CliHabitsTest {

    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }

    static List<String> subcommands() {
        return List.copyOf(new CommandLine(new Main()).getSubcommands().keySet());
    }

    @Test
    void everySubcommandHasHelpThatExitsZero() {
        assertThat(subcommands()).contains("gdb", "dump", "inspect", "verify", "restart", "debug");
        for (String c : subcommands()) {
            for (String h : List.of("-h", "--help")) {
                Result r = run(c, h);
                assertThat(r.status()).as("ckpt %s %s: %s", c, h, r).isZero();
                assertThat(r.out()).as("ckpt %s %s", c, h).startsWith("Usage: ckpt " + c);
                assertThat(r.err()).isEmpty();
            }
        }
        assertThat(run("--help").status()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "restart", "restart --frob core", "debug", "inspect", "verify", "dump", "gdb",
        "gdb prog --cont x", "restart -n --stop core", "nosuchcommand"})
    void usageErrorsAreTwoLines(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        Result r = run(args);
        assertThat(r.status()).as("%s", r).isEqualTo(ExitCodes.BAD_INPUT);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as("%s", r).hasSizeBetween(1, 2);
        assertThat(lines.get(lines.size() - 1)).as("%s", r).matches("Try 'ckpt( \\w+)? --help' for more information\\.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void restartTakesTheSeedsOptionsAndEitherOrder(@TempDir Path dir) throws Exception {
        Path exe = Files.copy(Path.of("/bin/true"), dir.resolve("prog"));
        // the start of an ELF core (e_type ET_CORE at offset 16), cut short
        byte[] h = new byte[64];
        h[0] = 0x7f;
        h[1] = 'E';
        h[2] = 'L';
        h[3] = 'F';
        h[4] = 2;
        h[5] = 1;
        h[6] = 1;
        h[16] = 4;
        Path core = Files.write(dir.resolve("core.prog"), h);
        assertThat(CoreCommand.elfType(core)).isEqualTo(4);
        assertThat(CoreCommand.elfType(exe)).isIn(2, 3);
        assertThat(CoreCommand.coreAndExecutable(exe, core)).containsExactly(core, exe);
        assertThat(CoreCommand.coreAndExecutable(core, exe)).containsExactly(core, exe);
        // EXE CORE with the seed's -n -w: the core is the file read (and refused: it is cut short)
        Result r = run("restart", "-n", "-w", exe.toString(), core.toString());
        assertThat(r.status()).as("%s", r).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("ckpt restart: " + core + ": ");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void passThroughCommandsKeepTheirFailuresApart() {
        assertThat(ExitCodes.passThrough(ExitCodes.BAD_INPUT)).isEqualTo(2);
        assertThat(ExitCodes.passThrough(ExitCodes.NO_CHECKPOINT)).isEqualTo(125);
        assertThat(ExitCodes.passThrough(ExitCodes.GDB_FAILED)).isEqualTo(125);
        assertThat(ExitCodes.passThrough(ExitCodes.CHECKPOINT_FAILED)).isEqualTo(125);
        assertThat(ExitCodes.passThrough(ExitCodes.RESTORE_FAILED)).isEqualTo(126);
        assertThat(ExitCodes.passThrough(ExitCodes.MISSING_TOOL)).isEqualTo(127);
        assertThat(ExitCodes.passThrough(ExitCodes.TIMED_OUT)).isEqualTo(124);
    }

    @Test
    void anInternalErrorAsksForABugReport() {
        CommandLine root = new CommandLine(new Main());
        for (String c : List.of("inspect", "restart")) {
            CommandLine sub = root.getSubcommands().get(c);
            StringWriter err = new StringWriter();
            sub.setErr(new PrintWriter(err));
            int status = Main.internalError(new NullPointerException("boom"), sub);
            assertThat(status).isEqualTo(c.equals("restart") ? ExitCodes.CKPT_FAILED : ExitCodes.INTERNAL_ERROR);
            List<String> lines = err.toString().lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo("ckpt " + c + ": internal error: java.lang.NullPointerException: boom");
            assertThat(lines.get(1)).startsWith("This is a bug in ckpt; please report it");
        }
    }
}
