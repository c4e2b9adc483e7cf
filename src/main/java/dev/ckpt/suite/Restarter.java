package dev.ckpt.suite;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Starts one process from a scenario's image with the given stdin, stdout and stderr files. */
interface Restarter extends AutoCloseable {

    /**
     * How the process ended.
     *
     * @param ended its exit status or signal (SIGKILL when it was killed at its timeout)
     * @param timedOut it ran past its timeout and was killed
     */
    record Ending(Expectation ended, boolean timedOut, long pid) {}

    Ending run(Path stdin, Path stdout, Path stderr, Duration timeout) throws IOException, InterruptedException;

    /** "fork server" or "full restore". */
    String kind();

    @Override
    void close();
}
