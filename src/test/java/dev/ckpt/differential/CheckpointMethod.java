package dev.ckpt.differential;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One way of taking a checkpoint of a running program, as a user would: the
 * program is checkpointed and dies; {@code restart -n -w} then continues it
 * from what this method wrote. Adding a method to the suite is one small class.
 */
interface CheckpointMethod {

    /** Short name, used in test names and messages. */
    String name();

    /** Extra environment the program must be started with (e.g. LD_PRELOAD); none by default. */
    default Map<String, String> environment() {
        return Map.of();
    }

    /** The status the program ends with when this method has checkpointed it (128 + signal). */
    default int deathStatus() {
        return 128 + 9;
    }

    /**
     * Checkpoints the running program PROGRAM (started by the harness in WORK, its
     * pid is {@code program.pid()}) into files under IMAGES; the program dies ({@link #deathStatus()}).
     *
     * @return the arguments for {@code restart -n -w} (options and the image), or
     *         {@code null} when the program had already finished on its own, before
     *         the checkpoint could be taken (the harness then tries an earlier moment)
     */
    List<String> checkpoint(Process program, Path work, Path images) throws Exception;
}
