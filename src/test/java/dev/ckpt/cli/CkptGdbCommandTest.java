package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The gdb and dump commands' option handling, in-process (nothing is started). */
class CkptGdbCommandTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        return Main.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void help() {
        assertThat(run("gdb", "--help")).isZero();
        assertThat(out.toString()).contains("PROGRAM", "--break=LOC", "--cont=N", "--input=TEXT", "--stdin=FILE",
                "--core=FILE", "--no-restart", "[ARGS...]");
        assertThat(run("dump", "--help")).isZero();
        assertThat(out.toString()).contains("PID", "--kill");
    }

    @Test
    void usageErrorsAreBadInput() {
        assertThat(run("gdb")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("gdb", "prog", "--cont", "x")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("gdb", "prog", "--input", "1", "--stdin", "f")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("gdb", "prog", "--frobnicate")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("dump")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("dump", "12x")).isEqualTo(ExitCodes.BAD_INPUT);
    }

    @Test
    void noSuchProgramNorProcess() {
        assertThat(run("gdb", "/nonexistent/prog")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).isEqualTo("ckpt-gdb: /nonexistent/prog: no such program\n");
        assertThat(run("dump", "0")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("dump", Long.toString(ProcessHandle.current().pid()))).isEqualTo(ExitCodes.BAD_INPUT);
    }

    @Test
    void programsAreFoundAsGdbFindsThem() {
        assertThat(GdbCommand.resolveProgram("sh")).isNotNull();
        assertThat(GdbCommand.resolveProgram("no-such-program-here")).isNull();
        assertThat(GdbCommand.resolveProgram("./no-such-program-here")).isNull();
        assertThat(GdbCommand.resolveProgram("/bin/sh")).isEqualTo(Path.of("/bin/sh"));
    }
}
