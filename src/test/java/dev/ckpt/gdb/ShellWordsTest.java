package dev.ckpt.gdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void shellQuoting() {
        assertThat(ShellWords.shell("plain/path-1.txt")).isEqualTo("plain/path-1.txt");
        assertThat(ShellWords.shell("")).isEqualTo("''");
        assertThat(ShellWords.shell("a b")).isEqualTo("'a b'");
        assertThat(ShellWords.shell("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellWords.shell("$HOME")).isEqualTo("'$HOME'");
    }

    /** What /bin/sh makes of the quoted words is the words. */
    @Test
    void shellRoundTrip() throws Exception {
        List<String> words = List.of("a b", "it's", "x\"y", "new\nline", "$HOME", "*", "", "\\", "`id`", "-n", "é€");
        StringBuilder script = new StringBuilder("printf '%s\\0'");
        for (String w : words) {
            script.append(' ').append(ShellWords.shell(w));
        }
        Process p = new ProcessBuilder("/bin/sh", "-c", script.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String joined = String.join("\0", words) + "\0";
        assertThat(new String(out, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(joined);
    }

    @Test
    void gdbArgvQuoting() {
        assertThat(ShellWords.gdbArgv("/tmp/core.1")).isEqualTo("/tmp/core.1");
        assertThat(ShellWords.gdbArgv("/tmp/a b'c")).isEqualTo("/tmp/a\\ b\\'c");
        assertThat(ShellWords.gdbArgv("")).isEqualTo("''");
    }
}
