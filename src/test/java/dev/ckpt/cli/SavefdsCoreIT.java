package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ckpt.core.TestCores;
import dev.ckpt.restore.NativeEngine;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * inspect, verify and restart on a core written by libsavefds.so (docs/SAVEFDS.md):
 * fprintf writing numbers into a file, checkpointed with SIGQUIT. The library is
 * target/lib/libsavefds.so, or {@code -Dckpt.savefds=PATH}.
 */
class SavefdsCoreIT {
    @TempDir
    Path tmp;

    static Path library() {
        String p = System.getProperty("ckpt.savefds");
        return p != null ? Path.of(p) : NativeEngine.savefdsLibrary();
    }

    /** Runs fprintf under the library, lets it print a few numbers, sends SIGQUIT; returns the core. */
    Path checkpointFprintf(Path numbers, int n) throws IOException, InterruptedException {
        Path lib = library();
        assumeTrue(Files.isRegularFile(lib), "libsavefds.so is not built yet: " + lib);
        ProcessBuilder pb = new ProcessBuilder(TestCores.withDefaultFilter(List.of("env", "--default-signal=QUIT",
                TestCores.target().resolve("examples/fprintf").toString(), numbers.toString(), Integer.toString(n))))
                .directory(tmp.toFile()).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LD_PRELOAD", lib.toString());
        pb.environment().put("FPRINTF_DELAY_MS", "50");
        Process p = pb.start();
        try {
            Thread.sleep(400); // a few numbers printed (into fprintf's stdio buffer)
            TestCores.Run kill = TestCores.run(List.of("kill", "-QUIT", Long.toString(p.pid())), tmp, Map.of(), 10);
            assertThat(kill.status()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("fprintf ended on SIGQUIT").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).isEqualTo(128 + 3);
        Path core = tmp.resolve("core." + p.pid());
        assertThat(core).exists();
        assertThat(tmp.resolve("filedescriptors")).exists();
        return core;
    }

    @Test
    void inspectVerifyAndRestart() throws Exception {
        Path numbers = tmp.resolve("numbers.txt");
        Path core = checkpointFprintf(numbers, 20);

        Ckpt r = Ckpt.run("inspect", "--json", core);
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("writer").asText()).isEqualTo("savefds");
        assertThat(j.get("program").asText()).isEqualTo("fprintf");
        assertThat(j.get("executable").asText()).isEqualTo(TestCores.target().resolve("examples/fprintf").toString());
        assertThat(j.get("signal").get("name").asText()).isEqualTo("SIGQUIT");
        JsonNode c = j.get("ckpt");
        assertThat(c.get("present").asBoolean()).isTrue();
        assertThat(c.get("writer").asText()).isEqualTo("savefds");
        assertThat(c.get("cwd").asText()).isEqualTo(tmp.toString());
        boolean found = false;
        for (JsonNode f : c.get("files")) {
            if (f.get("path").asText().equals(numbers.toString())) {
                found = true;
                assertThat(f.get("kind").asText()).isEqualTo("reg");
                assertThat(f.get("fd").asInt()).isGreaterThanOrEqualTo(3);
            }
        }
        assertThat(found).as("numbers.txt among the open files").isTrue();
        assertThat(c.get("maps").size()).isPositive();
        for (JsonNode f : j.get("files")) {
            if (f.get("uses").toString().contains("mapped")) {
                assertThat(f.get("status").asText()).as(f.toString()).isEqualTo("matches");
            }
        }
        assertThat(Ckpt.run("inspect", core).out()).contains("written by savefds");

        Ckpt v = Ckpt.run("verify", core);
        assertThat(v.status()).as(v.out()).isZero();

        assumeTrue(Files.isExecutable(TestCores.target().resolve("bin/restart")), "the native engine is not built");
        TestCores.Run restart = TestCores.run(List.of("java", "-XX:-UsePerfData", "-Dckpt.target=" + TestCores.target(), "-jar",
                TestCores.target().resolve("ckpt.jar").toString(), "restart", core.toString()), tmp, Map.of(), 120);
        assertThat(restart.status()).as(restart.err()).isZero();
        String expected = IntStream.rangeClosed(1, 20).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));
        assertThat(Files.readString(numbers)).isEqualTo(expected);
    }

    @Test
    void verifyFindsTheMissingOutputFile() throws Exception {
        Path numbers = tmp.resolve("numbers.txt");
        Path core = checkpointFprintf(numbers, 20);
        Files.delete(numbers);
        Ckpt v = Ckpt.run("verify", "--json", core);
        assertThat(v.status()).isEqualTo(1);
        assertThat(v.out()).contains("\"open-file-missing\"").contains(numbers.toString());
        // and ckpt restart refuses it before starting anything
        Ckpt r = Ckpt.run("restart", core);
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("ckpt restart: " + core + ": open file (fd 3) " + numbers + ": No such file or directory\n");
    }
}
