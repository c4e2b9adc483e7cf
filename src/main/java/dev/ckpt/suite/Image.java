package dev.ckpt.suite;

import java.nio.file.Path;

/**
 * A scenario's checkpoint, ready to restart from.
 *
 * @param stdinOffset how much of the scenario's input the program had read at the checkpoint (-1: unknown)
 * @param cached true when it came from the cache rather than from a run under gdb
 */
public record Image(Path core, long stdinOffset, boolean cached) {}
