package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.core.TestCores;
import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart left stopped for a debugger, in an interactive shell with job control in a
 * real pseudo-terminal: the seed's {@code restart PROG CORE} (no -n) and
 * {@code ckpt restart --stop --detach}. Both print a pid and exit; 30 s later the
 * process is still there and stopped (its process group, orphaned by the engine's exit,
 * would otherwise get SIGHUP and die), and gdb in that same shell attaches with
 * {@code ckpt-attach} and continues it to its end with no stray SIGSTOP stop.
 */
class StoppedRestartShellIT {

    private static final Pattern STOPPED = Pattern.compile("process (\\d+) restored and stopped");

    @Test
    void stoppedRestartsSurviveTheShellAndGdbContinuesThemCleanly(@TempDir Path dir) throws Exception {
        TestCores.gdbLinklist(dir, 4000, 500);
        Path script = Build.basedir().resolve("gdb-scripts/ckpt_restart.py");
        try (PtyShell sh = PtyShell.start(dir)) {
            PtyShell.Result seed = sh.run(Build.restart() + " " + Build.example("linklist") + " core.linklist > seed.txt",
                    Duration.ofSeconds(120));
            assertThat(seed.status()).as(seed.output()).isZero();
            long seedPid = pid(seed.output());

            PtyShell.Result ckpt = sh.run(Launch.ckpt() + " restart --stop --detach core.linklist > ckpt.txt",
                    Duration.ofSeconds(180));
            assertThat(ckpt.status()).as(ckpt.output()).isZero();
            long ckptPid = pid(ckpt.output());
            assertThat(ckptPid).isNotEqualTo(seedPid);

            Thread.sleep(30_000);
            assertThat(PtyShell.state(seedPid)).as("restart PROG CORE: process %d after 30 s", seedPid).isEqualTo('T');
            assertThat(PtyShell.state(ckptPid)).as("ckpt restart --stop --detach: process %d after 30 s", ckptPid)
                    .isEqualTo('T');

            for (long pid : List.of(seedPid, ckptPid)) {
                PtyShell.Result g = sh.run("gdb -q -nx -batch -x " + script + " -ex 'ckpt-attach " + pid + "' -ex bt"
                        + " -ex continue", Duration.ofSeconds(180));
                assertThat(g.output()).as("gdb on process %d", pid)
                        .contains("main () at ")
                        .contains("[Inferior 1 (process " + pid + ") exited normally]")
                        .doesNotContain("SIGSTOP").doesNotContain("SIGCONT").doesNotContain("received signal");
                assertThat(g.status()).as(g.output()).isZero();
            }
        }
        // only the checkpointed run's memory holds nodes 0..500 and the count 4000; stdin was at its end
        List<String> expected = LongStream.range(0, 4000).mapToObj(Long::toString).toList();
        assertThat(Files.readAllLines(dir.resolve("seed.txt"))).isEqualTo(expected);
        assertThat(Files.readAllLines(dir.resolve("ckpt.txt"))).isEqualTo(expected);
    }

    private static long pid(String output) {
        Matcher m = STOPPED.matcher(output);
        assertThat(m.find()).as("the pid in: %s", output).isTrue();
        return Long.parseLong(m.group(1));
    }
}
