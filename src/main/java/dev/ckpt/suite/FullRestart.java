package dev.ckpt.suite;

import dev.ckpt.restore.NativeEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One whole restore per case: {@code restart -n -w CORE} with the case's files as its stdio. */
final class FullRestart implements Restarter {
    private final Path core;

    FullRestart(Path core) {
        this.core = core;
    }

    @Override
    public Ending run(Path stdin, Path stdout, Path stderr, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(NativeEngine.command(List.of("-n", "-w"), null, core))
                .redirectInput(stdin.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        long pid = p.pid();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.waitFor(30, TimeUnit.SECONDS);
                p.destroyForcibly();
                return new Ending(Expectation.killed(9), true, pid);
            }
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        int status = p.exitValue();   // restart -w: the program's status, 128+signal when it was killed
        return new Ending(status > 128 && status < 128 + 65 ? Expectation.killed(status - 128) : Expectation.exited(status),
                false, pid);
    }

    @Override
    public String kind() {
        return "full restore";
    }

    @Override
    public void close() {}
}
