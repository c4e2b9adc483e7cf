package dev.ckpt.suite;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * {@code ckpt suite} end to end, in-process through Main.run: real gdb takes the
 * checkpoints, the real engine's fork server (or full restores) runs the cases.
 */
class SuiteIT {
    @TempDir
    static Path cache;
    @TempDir
    Path out;

    private static final Path EXAMPLES = Build.basedir().resolve("examples/suites");
    private static final Path FAILING = Build.basedir().resolve("src/test/resources/suites-failing");

    @Test
    void theExamplesAllPassAndTheXmlIsValid() throws Exception {
        Path xml = out.resolve("examples.xml");
        Run r = Run.ckpt("suite", EXAMPLES, "--cache-dir", cache, "-j", "2", "--junit-xml", xml);
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).containsPattern("ckpt suite: (\\d+) runs: \\1 passed, 0 failed, 0 skipped")
                .contains("workers: ").contains("a full restore per case")
                .contains("PASS examples/suites/linklist.yaml » same every time (100 runs");
        Xml.validate(xml);
        long files;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).count();
        }
        assertThat(files).isGreaterThanOrEqualTo(10);
        assertThat(Xml.read(xml).getElementsByTagName("testsuite").getLength()).isEqualTo((int) files);
        assertThat(Xml.verdicts(xml)).hasSizeGreaterThan(300).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo("pass"));
    }

    @Test
    void theFailingOnesFailEachForItsReason() throws Exception {
        Path xml = out.resolve("failing.xml");
        Run r = Run.ckpt("suite", FAILING, "--cache-dir", cache, "--junit-xml", xml);
        assertThat(r.exit).as(r.err).isEqualTo(1);
        assertThat(r.err)
                .contains("FAIL src/test/resources/suites-failing/wrong-output.yaml » entries")
                .contains("stdout differs from the expected").contains("    -5\n    +4\n")
                .contains("» exits 3").contains("expected exit status 0, got exit status 3")
                .contains("» hangs").contains("timed out after 1 s (killed)")
                .contains("» crashes").contains("expected exit status 0, got killed by SIGSEGV")
                .contains("no-checkpoint.yaml: no checkpoint: linklist exited with status 0 before the checkpoint")
                .contains("PASS src/test/resources/suites-failing/hang.yaml » after the hang")
                .containsPattern("ckpt suite: 7 runs: 2 passed, 4 failed, 1 skipped; 1 scenario\\(s\\) could not run");
        Xml.validate(xml);
        Map<String, String> v = Xml.verdicts(xml);
        assertThat(v).containsEntry("src.test.resources.suites-failing.hang » hangs", "failure")
                .containsEntry("src.test.resources.suites-failing.hang » after the hang", "pass")
                .containsEntry("src.test.resources.suites-failing.crash » crashes", "failure")
                .containsEntry("src.test.resources.suites-failing.no-checkpoint » (scenario)", "error")
                .containsEntry("src.test.resources.suites-failing.no-checkpoint » never runs", "skipped");
        Element failure = (Element) Xml.read(xml).getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isNotBlank();
    }

    @Test
    void jobsAndFullRestoresGiveTheSameVerdicts() throws Exception {
        Path one = out.resolve("j1.xml"), two = out.resolve("j2.xml"), full = out.resolve("full.xml");
        Path some = EXAMPLES.resolve("interp-exits.yaml");
        assertThat(Run.ckpt("suite", FAILING, some, "--cache-dir", cache, "-j", "1", "--junit-xml", one).exit).isEqualTo(1);
        assertThat(Run.ckpt("suite", FAILING, some, "--cache-dir", cache, "-j", "2", "--junit-xml", two).exit).isEqualTo(1);
        Run r = Run.ckpt("suite", FAILING, some, "--cache-dir", cache, "--no-fork-server", "--junit-xml", full);
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("runs by full restore").doesNotContain("runs by fork server");
        assertThat(Xml.verdicts(two)).isEqualTo(Xml.verdicts(one));
        assertThat(Xml.verdicts(full)).isEqualTo(Xml.verdicts(one));
        assertThat(Xml.verdicts(one)).containsValue("pass").containsValue("failure");
    }

    @Test
    void theCheckpointIsTakenOnceAndTakenAgainWhenTheScenarioChanges() throws Exception {
        Path own = out.resolve("cache");
        Path prog = Build.target().resolve("examples/interp");
        Path f = Files.writeString(out.resolve("one.yaml"), "program: " + prog + "\nargs: [\"7\"]\nbreak: 40\n"
                + "cases:\n  - stdin: \"arg 1\\n\"\n    stdout: \"7\\nbye\\n\"\n");
        Run first = Run.ckpt("suite", f, "--cache-dir", own);
        assertThat(first.exit).as(first.err).isZero();
        assertThat(first.err).contains("checkpoint at hit 1").doesNotContain("from the cache");
        Run again = Run.ckpt("suite", f, "--cache-dir", own);
        assertThat(again.exit).isZero();
        assertThat(again.err).contains("one: checkpoint from the cache").doesNotContain("checkpoint at hit");
        Files.writeString(f, Files.readString(f).replace("\"7\"", "\"8\"").replace("7\\nbye", "8\\nbye"));
        Run changed = Run.ckpt("suite", f, "--cache-dir", own);
        assertThat(changed.exit).as(changed.err).isZero();
        assertThat(changed.err).contains("checkpoint at hit 1").doesNotContain("from the cache");
        try (Stream<Path> s = Files.list(own)) {
            assertThat(s.filter(Files::isDirectory).count()).isEqualTo(2);
        }
    }

    @Test
    void anExistingCheckpointIsUsedAsItIsAndAFailedBuildFailsTheScenario() throws Exception {
        Path prog = Build.target().resolve("examples/interp");
        Path core = out.resolve("interp.core");
        Run gdb = Run.ckpt("gdb", "--no-restart", "--core", core, "--input=", prog, "--break", "40", "--", "12");
        assertThat(gdb.exit).as(gdb.err).isZero();
        Path f = Files.writeString(out.resolve("given.yaml"), "program: " + prog + "\ncheckpoint: interp.core\n"
                + "cases:\n  - stdin: \"arg 1\\n\"\n    stdout: \"12\\nbye\\n\"\n");
        Run r = Run.ckpt("suite", f, "--cache-dir", out.resolve("cache"));
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).doesNotContain("breakpoint at").contains("1 runs: 1 passed");
        assertThat(out.resolve("cache")).doesNotExist();

        Path b = Files.writeString(out.resolve("build.yaml"), "program: " + prog + "\nbuild: \"echo compiling; exit 4\"\n"
                + "cases: [{}]\n");
        Run built = Run.ckpt("suite", b, "--cache-dir", out.resolve("cache"));
        assertThat(built.exit).isEqualTo(1);
        assertThat(built.err).contains("build failed (exit status 4): echo compiling; exit 4: compiling")
                .contains("0 passed, 0 failed, 1 skipped; 1 scenario(s) could not run");
    }
}
