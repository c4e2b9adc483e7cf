package dev.ckpt.suite;

import dev.ckpt.testing.Run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario files: the brief's minimal form, every key, and one-line errors with line and column. */
class ScenarioLoaderTest {
    @TempDir
    Path dir;
    Path suites;

    @BeforeEach
    void layout() throws IOException {
        suites = Files.createDirectories(dir.resolve("suites"));
        Path prog = Files.createDirectories(dir.resolve("target/examples")).resolve("linklist");
        Files.writeString(prog, "#!/bin/sh\n");
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(suites.resolve("linklist.expected"), "0\n1\n");
    }

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(suites.resolve(name), yaml);
    }

    @Test
    void theMinimalFormLoadsExactlyAsWritten() throws Exception {
        Path f = write("linklist.yaml", """
                program: ../target/examples/linklist   # relative to this file
                input: "4000\\n"                        # stdin until the checkpoint
                break: 29
                cont: 500
                cases:
                  - name: finishes
                    stdout-file: linklist.expected     # what the restarted process prints
                    exit: 0
                  - name: same every time
                    repeat: 100
                    exit: 0
                """);
        Scenario s = ScenarioLoader.load(f);
        assertThat(s.program()).isEqualTo(dir.resolve("target/examples/linklist"));
        assertThat(s.input()).isEqualTo("4000\n");
        assertThat(s.location()).isEqualTo("29");
        assertThat(s.cont()).isEqualTo(500);
        assertThat(s.timeout()).isEqualTo(ScenarioLoader.DEFAULT_TIMEOUT);
        assertThat(s.cases()).hasSize(2);
        assertThat(s.cases().get(0).stdout()).isEqualTo("0\n1\n");
        assertThat(s.cases().get(0).exit()).isEqualTo(Expectation.SUCCESS);
        assertThat(s.cases().get(1).repeat()).isEqualTo(100);
        assertThat(s.name()).isEqualTo("linklist");
    }

    @Test
    void everyKey() throws Exception {
        Path f = write("all.yml", """
                program: ../target/examples/linklist
                args: [a, "b c"]
                env: {A: "1", B: 2}
                break: linklist.c:29
                timeout: 2.5
                build: "true"
                cases:
                  - stdin: "x\\n"
                    stdout: "y\\n"
                    stderr-matches: "^warn"
                    exit: SIGSEGV
                    timeout: 1
                  - stdout-matches: "\\\\d+"
                    exit: "3"
                """);
        Scenario s = ScenarioLoader.load(f);
        assertThat(s.args()).containsExactly("a", "b c");
        assertThat(s.env()).containsEntry("A", "1").containsEntry("B", "2");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.build()).isEqualTo("true");
        assertThat(s.cases().get(0).name()).isEqualTo("case 1");
        assertThat(s.cases().get(0).exit()).isEqualTo(Expectation.killed(11));
        assertThat(s.cases().get(0).timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.cases().get(1).exit()).isEqualTo(Expectation.exited(3));
        assertThat(s.cases().get(1).stdoutMatches()).isEqualTo("\\d+");
    }

    private String problem(String yaml) throws IOException {
        Path f = write("bad.yaml", yaml);
        try {
            ScenarioLoader.load(f);
        } catch (SuiteInputException e) {
            assertThat(e.getMessage()).doesNotContain("\n").startsWith(f.toString() + ":");
            return e.getMessage().substring(f.toString().length());
        }
        throw new AssertionError("loaded: " + yaml);
    }

    @Test
    void problemsNameLineAndColumn() throws Exception {
        String ok = "program: ../target/examples/linklist\n";
        assertThat(problem(ok + "cases:\n  - name: a\n    stdot: x\n")).startsWith(":4:5: unknown key 'stdot'");
        assertThat(problem(ok + "frobs: 1\ncases: [{name: a}]\n")).startsWith(":2:1: unknown key 'frobs'");
        assertThat(problem(ok + "cases:\n  - name: a\n    exit: SIGFOO\n")).isEqualTo(
                ":4:11: exit: 'SIGFOO' is neither an exit status (0..255) nor a signal name (like SIGSEGV)");
        assertThat(problem(ok + "cases:\n  - exit: 300\n")).isEqualTo(":3:11: exit: 300 is not an exit status (0..255)");
        assertThat(problem(ok + "cont: -1\ncases: [{}]\n")).isEqualTo(":2:7: cont: must not be negative");
        assertThat(problem(ok + "cont: lots\ncases: [{}]\n")).startsWith(":2:7: cont:");
        assertThat(problem(ok + "cases: many\n")).startsWith(":2:8:");
        assertThat(problem(ok + "cases: []\n")).contains("cases: at least one case is needed");
        assertThat(problem(ok + "cases:\n  - stdout-matches: \"(\"\n")).startsWith(":3:21: stdout-matches: not a regular expression");
        assertThat(problem(ok + "cases:\n  - repeat: 0\n")).isEqualTo(":3:13: repeat: 0 is not in 1..1000000");
        assertThat(problem(ok + "cases: [{}]\ncases: [{}]\n")).startsWith(":3:").contains("cases");
        assertThat(problem(ok + "cases: [{name: a}, {name: a}]\n")).isEqualTo(": case 'a': a second case of this name");
        assertThat(problem("cases: [{}]\n")).isEqualTo(":1:1: program: missing");
        assertThat(problem("program: nothing-here\ncases: [{}]\n")).startsWith(":1:1: program: ").endsWith("is not an executable file");
        assertThat(problem(ok + "cases: [{stdout-file: missing.txt}]\n")).contains("stdout-file:").contains("cannot read it");
        assertThat(problem(ok + "cases:\n  - name: [x\n")).startsWith(":");
        assertThat(problem("")).isEqualTo(":1:1: empty file (want program: and cases:)");
    }

    @Test
    void exitStatusesAndSignals() {
        assertThat(Expectation.parse("0")).isEqualTo(Expectation.SUCCESS);
        assertThat(Expectation.parse("SIGABRT")).isEqualTo(Expectation.killed(6));
        assertThat(Expectation.parse("segv")).isEqualTo(Expectation.killed(11));
        assertThat(Expectation.killed(9).toString()).isEqualTo("killed by SIGKILL");
        assertThatThrownBy(() -> Expectation.parse("-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCommandSaysWhatIsWrongInOneLineAndRunsNothing() throws Exception {
        Path f = write("bad.yaml", "program: ../target/examples/linklist\ncases:\n  - nme: x\n");
        Path cache = dir.resolve("cache");
        Run r = Run.ckpt("suite", f, "--cache-dir", cache);
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).isEqualTo("ckpt suite: " + f + ":3:5: unknown key 'nme' (known keys: exit, name, repeat, "
                + "stderr-matches, stdin, stdout, stdout-file, stdout-matches, timeout)" + System.lineSeparator());
        assertThat(cache).doesNotExist();
        assertThat(Run.ckpt("suite", dir.resolve("nothing")).err).contains("no such file or directory");
        assertThat(Run.ckpt("suite", suites, "--shard", "4/3").exit).isEqualTo(2);
        assertThat(Run.ckpt("suite", suites, "-j", "0").exit).isEqualTo(2);
    }
}
