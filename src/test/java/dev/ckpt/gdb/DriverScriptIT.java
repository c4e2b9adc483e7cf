package dev.ckpt.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ckpt.mi.MiCommand;
import dev.ckpt.mi.MiResultRecord;
import dev.ckpt.mi.MiTuple;
import dev.ckpt.testing.Build;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gdb-scripts/driver.py: its MI commands (what ckpt-gdb uses) and its CLI commands (by hand). */
class DriverScriptIT {
    @TempDir
    Path dir;

    static Path driver() {
        return Build.basedir().resolve("gdb-scripts/driver.py");
    }

    @Test
    void miCommands() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SHELL", "/bin/sh");
        Path in = Files.writeString(dir.resolve("in"), "4000\n");
        try (GdbSession s = GdbSession.start(Tools.gdb().orElseThrow(), true, env, dir)) {
            s.execute(MiCommand.of("-file-exec-and-symbols", Build.example("linklist").toString()));
            s.console("source " + driver());
            assertThatThrownBy(() -> s.execute(MiCommand.of("-ckpt-hits")))
                    .isInstanceOfSatisfying(GdbErrorException.class, e -> assertThat(e.gdbMessage())
                            .isEqualTo("no ckpt breakpoint: use ckpt-break LOCATION first"));
            assertThatThrownBy(() -> s.execute(MiCommand.of("-ckpt-break", "nosuch.c:3", "5")))
                    .isInstanceOfSatisfying(GdbErrorException.class, e -> assertThat(e.gdbMessage())
                            .isEqualTo("No source file named nosuch.c."));
            assertThatThrownBy(() -> s.execute(MiCommand.of("-ckpt-break", "29", "-1")))
                    .isInstanceOfSatisfying(GdbErrorException.class, e -> assertThat(e.gdbMessage())
                            .isEqualTo("N: must not be negative: -1"));
            MiResultRecord bp = s.execute(MiCommand.of("-ckpt-break", "linklist.c:29", "500"));
            int number = Integer.parseInt(bp.getString("number").orElseThrow());
            assertThat(number).isNegative();
            assertThat(bp.getString("ignore")).contains("500");
            MiTuple loc = (MiTuple) bp.getList("locations").orElseThrow().values().get(0);
            assertThat(loc.getString("file")).contains("../examples/linklist.c");
            assertThat(loc.getString("line")).contains("29");
            assertThat(loc.getString("func")).contains("main");
            assertThat(loc.getString("addr")).hasValueSatisfying(a -> assertThat(a).startsWith("0x"));

            s.console("set args < " + in + " > /dev/null");
            s.execute(MiCommand.of("-exec-run"));
            StopEvent stop = s.awaitStop(Duration.ofSeconds(120));
            assertThat(stop.isBreakpointHit()).isTrue();
            assertThat(stop.breakpointNumber()).contains(number);
            assertThat(s.execute(MiCommand.of("-data-evaluate-expression", "i")).getString("value")).contains("500");
            assertThat(s.execute(MiCommand.of("-ckpt-hits")).getString("hits")).contains("501");
        }
    }

    /** By hand: ckpt-break LOC N, run, ckpt-continue N. */
    @Test
    void cliCommands() throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "4000\n");
        Run r = Run.of("gdb", "-nx", "-batch", "-x", driver().toString(),
                "-ex", "ckpt-continue",
                "-ex", "ckpt-break linklist.c:29 500",
                "-ex", "run < " + in + " > /dev/null",
                "-ex", "print i",
                "-ex", "ckpt-continue 3",
                "-ex", "print i",
                "-ex", "kill",
                Build.example("linklist").toString()).dir(dir).go();
        assertThat(r.out + r.err).contains("no ckpt breakpoint: use ckpt-break LOCATION first")
                .contains("ckpt-break: breakpoint at ../examples/linklist.c:29, stops at hit 501")
                .contains("$1 = 500").contains("$2 = 503");
    }
}
