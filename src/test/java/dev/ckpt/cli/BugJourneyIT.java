package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bug-reproduction journey of docs/DEBUGGING.md, typed into an interactive shell in
 * a real pseudo-terminal: ckpt-gdb checkpoints examples/buglist at iteration 8990 (its
 * late bug strikes at 9000), `ckpt restart` reproduces the crash five times from that one
 * image, and `ckpt debug` shows the frame and i there, then the crash.
 *
 * <p>buglist is run with 9500 nodes: only the checkpointed run's memory holds that count
 * (a fresh start would build 10000), so "built 9500 nodes" proves each restore.
 */
class BugJourneyIT {

    @Test
    void checkpointBeforeTheBugThenReproduceAndDebugIt(@TempDir Path dir) throws Exception {
        Path prog = Files.copy(Build.example("buglist"), dir.resolve("buglist"));
        try (PtyShell sh = PtyShell.start(dir)) {
            sh.run("export PATH=" + Build.basedir().resolve("bin") + ":$PATH", Duration.ofSeconds(30));

            PtyShell.Result first = sh.run("ckpt-gdb ./buglist --break add_node --cont 8990 -- 9500",
                    Duration.ofMinutes(4));
            assertThat(first.status()).as(first.output()).isEqualTo(128 + 11);
            assertThat(first.output())
                    .contains("ckpt-gdb: checkpoint kept at " + dir.resolve("core.buglist"))
                    .contains("ckpt-gdb: restart it: ckpt restart core.buglist    debug it: ckpt debug core.buglist")
                    .contains("built 9500 nodes");
            assertThat(dir.resolve("core.buglist")).exists();

            // what the image is: the program's own argv, where it stopped, how it was taken
            PtyShell.Result inspect = sh.run("ckpt inspect core.buglist", Duration.ofMinutes(2));
            assertThat(inspect.status()).as(inspect.output()).isZero();
            assertThat(inspect.output())
                    .containsPattern("arguments +" + java.util.regex.Pattern.quote(prog.toString()) + " 9500\n")
                    .containsPattern("stopped in +add_node \\(head=0x[0-9a-f]+, i=8990\\) at \\.\\./examples/buglist\\.c:\\d+\n")
                    .containsPattern("taken by +ckpt-gdb at add_node, hit 8991 \\(written by gdb\\)\n")
                    .containsPattern("crash +no\n");

            for (int i = 1; i <= 5; i++) {
                PtyShell.Result again = sh.run("ckpt restart core.buglist", Duration.ofMinutes(3));
                assertThat(again.status()).as("restart %d: %s", i, again.output()).isEqualTo(128 + 11);
                assertThat(again.output()).as("restart %d", i).contains("built 9500 nodes");
            }

            PtyShell.Result debug = sh.run("ckpt debug core.buglist -- -batch -ex bt -ex 'print i' -ex continue",
                    Duration.ofMinutes(3));
            assertThat(debug.output())
                    .containsPattern("#0  add_node \\(head=0x[0-9a-f]+, i=8990\\) at \\.\\./examples/buglist\\.c:\\d+")
                    .contains("#1  ")
                    .contains("in main (")
                    .contains("$1 = 8990")
                    .contains("built 9500 nodes")
                    .contains("Program received signal SIGSEGV, Segmentation fault.")
                    .contains("in walk () at ../examples/buglist.c:")
                    .doesNotContain("SIGSTOP").doesNotContain("SIGCONT");
        }
        assertThat(prog).exists();
    }

    /** Under ckpt debug the program has the user's terminal: it prompts there and reads what is typed. */
    @Test
    void theProgramUnderCkptDebugReadsTheTerminal(@TempDir Path dir) throws Exception {
        try (PtyShell sh = PtyShell.start(dir)) {
            PtyShell.Result c = sh.run(Launch.ckptGdb() + " " + Build.example("linklist") + " --break main --no-restart",
                    Duration.ofMinutes(4));
            assertThat(c.status()).as(c.output()).isZero();
            sh.type(Launch.ckpt() + " debug core.linklist; echo \"@@debug:$?@@\"");
            sh.await("main () at ../examples/linklist.c:", Duration.ofMinutes(2));
            sh.await("(gdb) ", Duration.ofMinutes(1));
            sh.type("continue");
            sh.await("number of nodes: ", Duration.ofMinutes(1));
            sh.type("5");
            String run = sh.await("exited normally]", Duration.ofMinutes(1));
            assertThat(run.replace("\r", "")).contains("0\n1\n2\n3\n4\n");
            sh.await("(gdb) ", Duration.ofMinutes(1));
            sh.type("quit");
            sh.await("@@debug:0@@", Duration.ofMinutes(1));
        }
    }
}
