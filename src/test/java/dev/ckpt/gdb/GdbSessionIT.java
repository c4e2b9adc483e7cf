package dev.ckpt.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ckpt.mi.MiAsyncRecord;
import dev.ckpt.mi.MiCommand;
import dev.ckpt.mi.MiOobRecord;
import dev.ckpt.mi.MiResultRecord;
import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MI session against real gdb 13.1: tokens, errors, events, death, timeouts, cleanup. */
class GdbSessionIT {
    @TempDir
    Path dir;

    GdbSession s;
    final List<Process> started = new ArrayList<>();

    @BeforeEach
    void startGdb() throws Exception {
        s = GdbSession.start(Tools.gdb().orElseThrow(), true, env(), dir);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (s != null) {
            s.close();
        }
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SHELL", "/bin/sh");
        return env;
    }

    /** Many commands from several threads at once: each gets its own answer. */
    @Test
    void resultsAreMatchedToTheirCommandsByToken() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * 1000;
                answers.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        int n = base + i;
                        MiResultRecord r = s.execute(MiCommand.of("-data-evaluate-expression", n + "*3"));
                        if (!r.getString("value").orElse("").equals(Integer.toString(n * 3))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : answers) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void errorsCarryGdbsMessage() throws Exception {
        s.execute(MiCommand.of("-file-exec-and-symbols", Build.example("linklist").toString()));
        assertThatThrownBy(() -> s.execute(MiCommand.of("-break-insert", "nosuch.c:3")))
                .isInstanceOfSatisfying(GdbErrorException.class, e -> {
                    assertThat(e.gdbMessage()).isEqualTo("No source file named nosuch.c.");
                    assertThat(e.command().operation()).isEqualTo("-break-insert");
                });
        assertThatThrownBy(() -> s.execute(MiCommand.of("-kill")))
                .isInstanceOfSatisfying(GdbErrorException.class, e -> assertThat(e.code()).contains("undefined-command"));
        // the session goes on after errors
        assertThat(s.execute(MiCommand.of("-data-evaluate-expression", "6*7")).getString("value")).contains("42");
    }

    /** Async records and stream text reach listeners; the pid and exit status are tracked. */
    @Test
    void asyncRecordsAndStreamsReachListeners() throws Exception {
        List<MiOobRecord> seen = new CopyOnWriteArrayList<>();
        s.addListener(new MiListener() {
            @Override
            public void onRecord(MiOobRecord record) {
                seen.add(record);
            }
        });
        GdbSession.TextCollector text = new GdbSession.TextCollector();
        s.addListener(text);
        Path in = Files.writeString(dir.resolve("in"), "x\n");
        s.execute(MiCommand.of("-file-exec-and-symbols", Build.example("linklist").toString()));
        s.console("set args < " + in + " > /dev/null 2>&1");
        s.execute(MiCommand.of("-exec-run"));
        StopEvent stop = s.awaitStop(Duration.ofSeconds(60));
        assertThat(stop.reason()).isEqualTo("exited");
        assertThat(stop.exitCode()).contains(2);
        assertThat(stop.isExit()).isTrue();
        assertThat(stop.describeExit()).isEqualTo("exited with status 2");
        long pid = s.inferiorPid().orElseThrow();
        assertThat(s.inferiorExitCode()).contains(2);
        assertThat(seen).anyMatch(r -> r instanceof MiAsyncRecord a && a.asyncClass().equals("thread-group-started")
                && a.getString("pid").equals(java.util.Optional.of(Long.toString(pid))));
        assertThat(seen).anyMatch(r -> r instanceof MiAsyncRecord a && a.asyncClass().equals("stopped"));
        assertThat(text.text()).contains("[Inferior 1 (process " + pid + ") exited with code 02]");
    }

    /** gdb killed while a command waits for its answer: an error at once, no hang. */
    @Test
    void gdbDyingMidCommandIsAnError() throws Exception {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> s.console("python import os, signal; os.kill(os.getpid(), signal.SIGKILL)"))
                .isInstanceOf(GdbDiedException.class).hasMessageContaining("gdb was killed by signal 9");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(s.isAlive()).isFalse();
        // and every later call fails the same way, at once
        assertThatThrownBy(() -> s.execute(MiCommand.of("-gdb-version"))).isInstanceOf(GdbDiedException.class);
        assertThatThrownBy(() -> s.awaitStop(null)).isInstanceOf(GdbDiedException.class);
    }

    /** gdb killed while the program runs: the wait for the stop ends with an error; close() kills the program. */
    @Test
    void gdbDyingWhileTheProgramRunsIsAnError() throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "100000000\n");
        s.execute(MiCommand.of("-file-exec-and-symbols", Build.example("linklist").toString()));
        s.execute(MiCommand.of("-break-insert", "-i", "99999999", "29"));
        s.console("set args < " + in + " > /dev/null");
        s.execute(MiCommand.of("-exec-run"));
        Thread.sleep(500);
        long pid = s.inferiorPid().orElseThrow();
        assertThat(ProcessHandle.of(pid)).isPresent();
        ProcessHandle.of(s.gdbPid()).orElseThrow().destroyForcibly();
        assertThatThrownBy(() -> s.awaitStop(Duration.ofSeconds(30))).isInstanceOf(GdbDiedException.class);
        s.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void timeouts() throws Exception {
        assertThatThrownBy(() -> s.execute(MiCommand.console("shell sleep 2"), Duration.ofMillis(300)))
                .isInstanceOf(GdbTimeoutException.class);
        // the late answer is dropped; the next command gets its own
        assertThat(s.execute(MiCommand.of("-data-evaluate-expression", "1+1"), Duration.ofSeconds(30))
                .getString("value")).contains("2");
        assertThatThrownBy(() -> s.awaitStop(Duration.ofMillis(200))).isInstanceOf(GdbTimeoutException.class);
    }

    /** close() kills the program gdb started. */
    @Test
    void closeKillsTheProgramGdbStarted() throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "100000000\n");
        s.execute(MiCommand.of("-file-exec-and-symbols", Build.example("linklist").toString()));
        s.execute(MiCommand.of("-break-insert", "29"));
        s.console("set args < " + in + " > /dev/null");
        s.execute(MiCommand.of("-exec-run"));
        s.awaitStop(Duration.ofSeconds(60));
        long pid = s.inferiorPid().orElseThrow();
        long gdb = s.gdbPid();
        s.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ProcessHandle.of(gdb).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /** close() detaches from a process gdb attached to, also when it has to kill gdb. */
    @Test
    void closeNeverKillsAnAttachedProcess() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        started.add(sleeper);
        s.attachingTo(sleeper.pid());
        s.execute(MiCommand.of("-target-attach", Long.toString(sleeper.pid())));
        s.awaitStop(Duration.ofSeconds(30));
        assertThat(s.inferiorPid()).hasValue(sleeper.pid());
        s.close();
        Thread.sleep(200);
        assertThat(sleeper.isAlive()).isTrue();
        assertThat(Files.readString(Path.of("/proc/" + sleeper.pid() + "/status"))).containsPattern("State:\\s+S");

        // the hard way: gdb killed while attached
        GdbSession again = GdbSession.start(Tools.gdb().orElseThrow(), true, env(), dir);
        try {
            again.attachingTo(sleeper.pid());
            again.execute(MiCommand.of("-target-attach", Long.toString(sleeper.pid())));
            again.awaitStop(Duration.ofSeconds(30));
            ProcessHandle.of(again.gdbPid()).orElseThrow().destroyForcibly();
            assertThatThrownBy(() -> again.execute(MiCommand.of("-gdb-version"), Duration.ofSeconds(10)))
                    .isInstanceOf(GdbDiedException.class);
        } finally {
            again.close();
        }
        Thread.sleep(200);
        assertThat(sleeper.isAlive()).isTrue();
    }

    /** Something that is not gdb: an error, not a hang. */
    @Test
    void notGdb() {
        assertThatThrownBy(() -> GdbSession.start(Path.of("/bin/true"), false, env(), dir))
                .isInstanceOf(GdbDiedException.class).hasMessageContaining("exited with status 0");
    }
}
