package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restorer blob makes the address space inside the new process: the engine's ptrace
 * stops and injected system calls ({@code restart -V}) do not grow with the number of
 * mappings. native/tests/maps.c checks its pages, their protections and its mapping count.
 */
class RestorerStopsIT {

    @TempDir
    Path dir;

    record Cost(long stops, long syscalls) {}

    Cost restore(int mappings) throws Exception {
        Path sub = Files.createDirectory(dir.resolve("maps" + mappings));
        Path core = Checkpoints.kernel(sub, Build.feature("maps"), Integer.toString(mappings)).core();
        Run r = Checkpoints.restart(sub, "-V", "-n", "-w", core.toString());
        assertThat(r.exit).as("%s", r).isZero();
        assertThat(r.out).contains("PASS maps");
        Matcher m = Pattern.compile("restart: (\\d+) ptrace stops, (\\d+) syscalls injected").matcher(r.err);
        assertThat(m.find()).as(r.err).isTrue();
        Files.delete(core);
        return new Cost(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    @Test
    void ptraceStopsDoNotDependOnTheNumberOfMappings() throws Exception {
        Cost few = restore(10);
        Cost many = restore(5000);
        assertThat(many).isEqualTo(few);
        assertThat(many.stops()).as("a handful, not one per mapping").isLessThan(50);
    }
}
