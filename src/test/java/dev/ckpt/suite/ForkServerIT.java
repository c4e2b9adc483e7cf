package dev.ckpt.suite;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's fork server (restart --fork-server) driven through its line protocol. */
class ForkServerIT {
    @TempDir
    Path dir;

    private Path checkpoint(String program, String... more) {
        Path core = dir.resolve(program + ".core");
        java.util.List<Object> args = new java.util.ArrayList<>(java.util.List.of("gdb", "--no-restart", "--core", core,
                "--input=", Build.target().resolve("examples/" + program)));
        args.addAll(java.util.List.of(more));
        Run r = Run.ckpt(args.toArray());
        assertThat(r.exit).as(r.err).isZero();
        return core;
    }

    private Process server(Path core, String... options) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Build.target().resolve("bin/restart").toString()));
        cmd.addAll(java.util.List.of(options));
        cmd.addAll(java.util.List.of("--fork-server", core.toString()));
        return new ProcessBuilder(cmd).redirectError(dir.resolve("server.err").toFile()).start();
    }

    @Test
    void everyRequestIsANewCopyOfTheCheckpointedProcessWithItsOwnStdio() throws Exception {
        // interp 10, stopped in its table loop: restarted copies answer from the checkpointed run's
        // arguments ("arg 1" is 10; interp run afresh has no arguments and says "(none)")
        Path core = checkpoint("interp", "--break", "40", "--cont", "3", "--", "10");
        Process p = server(core);
        try (Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
             BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = r.readLine();
            assertThat(ready).startsWith("ready ");
            long template = Long.parseLong(ready.substring(6));
            Set<String> pids = new HashSet<>();
            String[][] cases = {{"arg 1\nget 9\n", "10\n81\nbye\n", "exit %s 0"}, {"get 5\n", "25\nbye\n", "exit %s 0"},
                {"exit 7\n", "", "exit %s 7"}, {"segv\n", "", "signal %s 11"}};
            for (int i = 0; i < cases.length; i++) {
                Path in = Files.writeString(dir.resolve("in" + i), cases[i][0]);
                Path o = dir.resolve("out" + i), e = dir.resolve("err" + i);
                w.write("run\t" + in + "\t" + o + "\t" + e + "\n");
                w.flush();
                String started = r.readLine();
                assertThat(started).startsWith("pid ");
                String pid = started.substring(4);
                assertThat(pid).isNotEqualTo(Long.toString(template));
                assertThat(pids.add(pid)).isTrue();
                assertThat(r.readLine()).isEqualTo(String.format(cases[i][2], pid));
                assertThat(Files.readString(o)).isEqualTo(cases[i][1]);
            }
            // stdout and stderr to one file: 2>&1
            Path in = Files.writeString(dir.resolve("in-say"), "say hello\nget 2\n");
            Path both = dir.resolve("both");
            w.write("run\t" + in + "\t" + both + "\t" + both + "\n");
            w.flush();
            assertThat(r.readLine()).startsWith("pid ");
            assertThat(r.readLine()).startsWith("exit ").endsWith(" 0");
            assertThat(Files.readString(both)).isEqualTo("hello\n4\nbye\n");
            w.write("walk\tthe dog\n");
            w.flush();
            assertThat(r.readLine()).startsWith("error 0 bad request");
            assertThat(ProcessHandle.of(template)).isPresent();
            w.close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(ProcessHandle.of(template).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aCopyThatCannotOpenItsFilesIsAnErrorAndTheServerGoesOnAtThreeStopsPerCopy() throws Exception {
        Path core = checkpoint("interp", "--break", "40", "--cont", "3", "--", "10");
        Process p = server(core, "-V");
        try (Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
             BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(r.readLine()).startsWith("ready ");
            Path o = dir.resolve("out"), e = dir.resolve("err");
            w.write("run\t" + dir.resolve("no-such-input") + "\t" + o + "\t" + e + "\n");
            w.flush();
            assertThat(r.readLine()).isEqualTo("error 0 cannot make a copy: No such file or directory");
            assertThat(o).doesNotExist();
            Path in = Files.writeString(dir.resolve("in"), "arg 1\n");
            for (int i = 0; i < 2; i++) {
                w.write("run\t" + in + "\t" + o + "\t" + e + "\n");
                w.flush();
                String pid = r.readLine().substring(4);
                assertThat(r.readLine()).isEqualTo("exit " + pid + " 0");
                assertThat(Files.readString(o)).isEqualTo("10\nbye\n");
            }
            w.close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            // restart -V: the stops each copy cost, counted where they are waited for (remote.c)
            java.util.List<String> copies = Files.readAllLines(dir.resolve("server.err")).stream()
                    .filter(l -> l.contains(": copy ")).toList();
            assertThat(copies).hasSize(2).allMatch(l -> l.matches("restart: fork server: copy \\d+: 3 ptrace stops, 1 syscalls injected"));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aThreadedImageIsRefusedSoTheCallerFallsBack() throws Exception {
        Path core = checkpoint("workers", "--break", "35", "--cont", "10");
        Process p = server(core);
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first).startsWith("unsupported ").contains("3 threads");
        assertThat(p.exitValue()).isEqualTo(3);
    }

    /** What fork does not copy (interval timers, POSIX timers) is set in every copy: the
     * feature programs attrs and posixtimers pass in a copy made by the fork server. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"attrs", "posixtimers"})
    void copiesGetTheTimers(String name) throws Exception {
        Path core = dev.ckpt.testing.Checkpoints.ckptSave(dir, dev.ckpt.testing.Build.feature(name),
                "checkpoint_point", java.util.Map.of(), "img." + name).core();
        Process p = server(core);
        try (Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
             BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(r.readLine()).startsWith("ready ");
            Path in = Files.writeString(dir.resolve("in"), ""), o = dir.resolve("out"), e = dir.resolve("err");
            w.write("run\t" + in + "\t" + o + "\t" + e + "\n");
            w.flush();
            assertThat(r.readLine()).startsWith("pid ");
            assertThat(r.readLine()).as(Files.readString(dir.resolve("server.err"))).startsWith("exit ").endsWith(" 0");
            assertThat(Files.readString(o)).contains("PASS " + name).doesNotContain("FAIL");
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
