package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckpt.core.BrokenCores;
import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.TestCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broken-core corpus, made from a real gdb core (linklist) and a real kernel core
 * (native-tests/heap), fed to {@code ckpt inspect}, {@code ckpt verify}, {@code ckpt restart}, the native
 * {@code restart} and its AddressSanitizer build. Each must refuse every case with one
 * line naming the file, exit status 2, no stack trace, no hang, and start nothing.
 */
class BrokenCoreCorpusIT {
    @TempDir
    static Path tmp;

    static List<BrokenCores.Case> cases = new ArrayList<>();
    static Path gdbCore;

    @BeforeAll
    static void makeCorpus() throws IOException {
        gdbCore = TestCores.gdbLinklist(Files.createDirectory(tmp.resolve("gdb")), 20, 5);
        Path kernelCore = TestCores.kernelCore(tmp, TestCores.nativeTest("heap")).core();
        cases.addAll(BrokenCores.of(gdbCore, "gdb"));
        cases.addAll(BrokenCores.of(kernelCore, "kernel"));
    }

    private static Path write(BrokenCores.Case c) throws IOException {
        Path p = tmp.resolve("case-" + c.name().replaceAll("[^A-Za-z0-9]+", "_"));
        Files.write(p, c.bytes());
        return p;
    }

    static void oneLine(String err, String prefix, Path file) {
        assertThat(err).startsWith(prefix + file + ": ").endsWith("\n");
        assertThat(err.strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @TestFactory
    Stream<DynamicTest> javaReaderRefusesEach() {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path p = write(c);
            try {
                CoreFile.open(p);
                throw new AssertionError("accepted " + c.name());
            } catch (CoreFormatException e) {
                assertThat(Pattern.compile(c.expect()).matcher(e.problem().toLowerCase(Locale.ROOT)).find())
                        .as("'%s' names the problem (%s)", e.getMessage(), c.expect()).isTrue();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> inspectVerifyAndRestartRefuseEach() {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path p = write(c);
            for (String cmd : List.of("inspect", "verify", "restart")) {
                Ckpt r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Ckpt.run(cmd, p));
                assertThat(r.status()).as(cmd + ": " + r.err()).isEqualTo(2);
                assertThat(r.out()).isEmpty();
                oneLine(r.err(), "ckpt " + cmd + ": ", p);
            }
            Ckpt json = Ckpt.run("inspect", "--json", p);
            assertThat(json.status()).isEqualTo(2);
            assertThat(json.out()).isEmpty();
        }));
    }

    /** The native engine, and the same with AddressSanitizer and UBSan. */
    static Stream<DynamicTest> nativeRefuses(Path engine, boolean sanitized) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path p = write(c);
            // -n -w: a process it wrongly restored would run linklist and print its numbers
            TestCores.Run r = TestCores.run(List.of(engine.toString(), "-n", "-w", TestCores.linklist().toString(),
                    p.toString()), tmp, Map.of("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0",
                    "UBSAN_OPTIONS", "print_stacktrace=1"), 30);
            assertThat(r.err()).as("sanitizer report").doesNotContain("AddressSanitizer")
                    .doesNotContain("runtime error:").doesNotContain("Sanitizer");
            assertThat(r.status()).as("exit status; stderr: " + r.err()).isEqualTo(2);
            assertThat(r.out()).as("nothing ran").isEmpty();
            oneLine(r.err(), "restart: ", p);
        }));
    }

    @TestFactory
    Stream<DynamicTest> nativeRestartRefusesEach() {
        Path engine = TestCores.target().resolve("bin/restart");
        assumeTrue(Files.isExecutable(engine), "the native engine is not built yet: " + engine);
        return nativeRefuses(engine, false);
    }

    /**
     * The corpus against {@code restart} built with -fsanitize=address,undefined
     * ({@code make -C native OUT=target target/bin/restart-asan}); any sanitizer report
     * fails. {@code -Dckpt.restart.asan=PATH} runs a binary built elsewhere instead.
     */
    @TestFactory
    Stream<DynamicTest> nativeRestartUnderAddressSanitizerRefusesEach() throws IOException {
        Path base = Path.of(System.getProperty("ckpt.basedir", ".")).toAbsolutePath();
        String given = System.getProperty("ckpt.restart.asan");
        if (given != null) {
            return nativeRefuses(Path.of(given), true);
        }
        assumeTrue(Files.isDirectory(base.resolve("native/restore")), "the native engine's sources are not here yet");
        Path target = TestCores.target();
        Path asan = target.resolve("bin/restart-asan");
        TestCores.Run make = TestCores.run(List.of("make", "-s", "-C", base.resolve("native").toString(),
                "OUT=" + target, asan.toString()), tmp, Map.of(), 300);
        assertThat(make.status()).as("building restart-asan: " + make.err()).isZero();
        return nativeRefuses(asan, true);
    }
}
