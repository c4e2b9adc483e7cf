package dev.ckpt.cli;

import dev.ckpt.testing.Run;

/** ckpt run in this JVM ({@link Run#ckpt}), with the names the CLI tests read it by. */
record Ckpt(int status, String out, String err) {
    static Ckpt run(Object... args) {
        Run r = Run.ckpt(args);
        return new Ckpt(r.exit, r.out, r.err);
    }
}
