package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How {@code ckpt restart}'s options become the native engine's. */
class RestartCommandTest {
    /** Always passed: a failed restore exits 126, apart from the program's own statuses. */
    static final String F = "--failed-status=126";

    static List<String> engine(String... args) {
        RestartCommand c = new RestartCommand();
        new CommandLine(c).parseArgs(args);
        return c.engineOptions();
    }

    @Test
    void runsAndWaitsByDefault() {
        assertThat(engine("core")).containsExactly("-n", "-w", F);
    }

    @Test
    void stopAndDetach() {
        assertThat(engine("--stop", "core")).containsExactly("-w", F);
        assertThat(engine("--detach", "core")).containsExactly("-n", F);
        assertThat(engine("--stop", "--detach", "core")).containsExactly(F);
    }

    @Test
    void passesTheEngineOptionsOn() {
        assertThat(engine("core", "-f")).containsExactly("-n", "-w", "-f", F);
        assertThat(engine("core", "-f", "-V")).containsExactly("-n", "-w", "-f", "-V", F);
        assertThat(engine("-ffds.txt", "core")).containsExactly("-n", "-w", "--filedes=fds.txt", F);
        assertThat(engine("--filedes=fds.txt", "core")).containsExactly("-n", "-w", "--filedes=fds.txt", F);
        assertThat(engine("-V", "-s", "-b", "0x401000", "core"))
                .containsExactly("-n", "-w", "-V", "-s", "--breakpoint=0x401000", F);
        assertThat(engine("-VV", "-k", "-p", "core")).containsExactly("-n", "-w", "-k", "-p", "-V", "-V", F);
    }

    @Test
    void aSeparateWordAfterFIsItsFile() {
        // as picocli reads optional values: `-f CORE` names the file list, and CORE is then missing
        Ckpt r = Ckpt.run("restart", "-f", "core");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'CORE'");
    }

    @Test
    void badUsageIsStatus2() {
        Ckpt r = Ckpt.run("restart");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'CORE'");
    }
}
