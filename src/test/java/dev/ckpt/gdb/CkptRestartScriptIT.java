package dev.ckpt.gdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.core.TestCores;
import dev.ckpt.testing.Build;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gdb-scripts/ckpt_restart.py inside one gdb session: {@code ckpt-restart CORE} twice
 * from the same image, like gdb's {@code restart N}; each time a new process, stopped at
 * the checkpoint with no stray stop, that runs to its end; refused while a process is live.
 */
class CkptRestartScriptIT {

    @Test
    void ckptRestartTwiceInOneSession(@TempDir Path dir) throws Exception {
        Path core = TestCores.gdbLinklist(dir, 1000, 500);
        Path script = Build.basedir().resolve("gdb-scripts/ckpt_restart.py");
        TestCores.Run r = TestCores.run(List.of("gdb", "-nx", "-batch", "-x", script.toString(),
                "-ex", "ckpt-restart " + core, "-ex", "print i", "-ex", "ckpt-restart " + core, "-ex", "continue",
                "-ex", "ckpt-restart " + core, "-ex", "print i", "-ex", "continue"), dir,
                Map.of("CKPT_RESTART", Build.restart().toString()), 180);
        String out = r.out();
        // the second ckpt-restart is refused: the first process is still live
        assertThat(r.err()).contains("ckpt-restart: the current inferior is live; kill or detach it first");
        assertThat(out).contains("$1 = 500").contains("$2 = 500").doesNotContain("SIGSTOP").doesNotContain("SIGCONT");
        Matcher m = Pattern.compile("\\[Inferior 1 \\(process (\\d+)\\) exited normally\\]").matcher(out);
        List<String> pids = new ArrayList<>();
        while (m.find()) {
            pids.add(m.group(1));
        }
        assertThat(pids).as(out).hasSize(2).doesNotHaveDuplicates();
        // each run printed the whole list: 0..999, twice
        assertThat(out.lines().filter(l -> l.equals("999")).count()).isEqualTo(2);
    }
}
