package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckpt.core.TestCores;
import dev.ckpt.testing.Build;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash cores back to life: a kernel core of examples/buglist crashed by SIGSEGV, SIGABRT
 * or SIGFPE becomes, under {@code ckpt debug}, a live process stopped where it crashed,
 * in which gdb calls the program's describe() (impossible on a core: only a live process
 * can run it), changes a variable, runs {@code finish} and continues it to a clean end.
 */
class ReviveIT {

    /** buglist crashed in {@code mode}, dumped by the kernel into {@code dir}: the core. */
    static Path kernelCore(Path dir, String mode) throws IOException, InterruptedException {
        assumeTrue(Build.kernelCoresToFiles(), "kernel cores go to " + Build.corePatternName());
        Path work = Files.createTempDirectory(dir, "crash");
        Process p = new ProcessBuilder("bash", "-c", TestCores.DEFAULT_FILTER + "ulimit -c unlimited; exec \"$0\" 10000 \"$1\"",
                Build.example("buglist").toString(), mode)
                .directory(work.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("buglist crashed in time").isTrue();
        assertThat(p.exitValue()).as("buglist %s", mode).isGreaterThan(128);
        Path core;
        try (Stream<Path> s = Files.list(work)) {
            core = s.filter(f -> f.getFileName().toString().startsWith("core")).findFirst()
                    .orElseThrow(() -> new AssertionError("no kernel core (core_pattern " + Build.corePatternName() + ")"));
        }
        return Files.move(core, dir.resolve("core.crash." + mode));
    }

    /** The line of examples/buglist.c that holds {@code text}. */
    static int lineOf(String text) throws IOException {
        List<String> lines = Files.readAllLines(Build.basedir().resolve("examples/buglist.c"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + ": not in buglist.c");
    }

    @Test
    void aSegfaultComesBackToLifeAndRunsOnToItsEnd(@TempDir Path dir) throws Exception {
        Path core = kernelCore(dir, "segv");
        Launch i = Launch.of(Launch.ckpt(), "inspect", core).dir(dir).timeout(Duration.ofMinutes(2)).go();
        assertThat(i.exit).as("%s", i).isZero();
        assertThat(i.out).containsPattern("crash +SIGSEGV at address 0x10: ckpt debug brings the process back to life")
                .containsPattern("stopped in +walk \\(\\) at \\.\\./examples/buglist\\.c:\\d+\n")
                .containsPattern("arguments +" + java.util.regex.Pattern.quote(Build.example("buglist").toString())
                        + " 10000 segv\n")
                .containsPattern("taken by +kernel\n");
        int loop = lineOf("while (p != NULL)");
        int ret = lineOf("return sum;");
        Launch d = Launch.of(Launch.ckpt(), "debug", core, "--", "-batch", "-ex", "bt", "-ex", "call describe()",
                "-ex", "print p", "-ex", "set var p = 0", "-ex", "tbreak " + ret, "-ex", "jump " + loop,
                "-ex", "finish", "-ex", "continue")
                .dir(dir).timeout(Duration.ofMinutes(3)).go();
        assertThat(d.exit).as("%s", d).isZero();
        assertThat(d.out).as("%s", d)
                .contains("in walk () at ../examples/buglist.c:" + lineOf("segv: p is wild here"))
                .contains("describe: 1000 sound nodes, sum 9499500, then a wild pointer")
                .contains("(struct node *) 0x10")
                .contains("Temporary breakpoint 1, walk () at ../examples/buglist.c:" + ret)
                .contains("Value returned is $2 = 9499500")
                .contains("sum 9499500\n")
                .contains("exited normally]")
                .doesNotContain("SIGSTOP").doesNotContain("SIGCONT").doesNotContain("SIGSEGV");
    }

    @ParameterizedTest
    @CsvSource({"abort, abort", "fpe, walk"})
    void otherCrashesComeBackToLifeToo(String mode, String frame, @TempDir Path dir) throws Exception {
        Path core = kernelCore(dir, mode);
        Launch d = Launch.of(Launch.ckpt(), "debug", core, "--", "-batch", "-ex", "bt", "-ex", "call describe()",
                "-ex", "kill").dir(dir).timeout(Duration.ofMinutes(3)).go();
        assertThat(d.exit).as("%s", d).isZero();
        assertThat(d.out).as("%s", d).contains(frame)
                .contains("describe: 1000 sound nodes, sum 9499500, then a wild pointer")
                .doesNotContain("SIGSTOP").doesNotContain("SIGCONT");
    }
}
