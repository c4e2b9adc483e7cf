package dev.ckpt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Where the build put the native parts the tests run. */
public final class Build {
    private Build() {}

    public static Path target() {
        String t = System.getProperty("ckpt.target");
        return Path.of(t != null ? t : "target").toAbsolutePath();
    }

    public static Path basedir() {
        String b = System.getProperty("ckpt.basedir");
        return Path.of(b != null ? b : ".").toAbsolutePath();
    }

    public static Path restart() {
        return target().resolve("bin/restart");
    }

    public static Path example(String name) {
        return target().resolve("examples").resolve(name);
    }

    /**
     * A native program that {@code make all} leaves out (a sanitized driver such as
     * checkmany-asan or procparse-test), built into target/bin by native/Makefile; the
     * test fails when it does not build.
     */
    public static Path nativeTool(String name) throws IOException, InterruptedException {
        Path tool = target().resolve("bin").resolve(name);
        Run make = Run.of("make", "-s", "-C", basedir().resolve("native").toString(), "OUT=" + target(),
                tool.toString()).timeout(Duration.ofMinutes(5)).go();
        if (make.exit != 0) {
            throw new AssertionError("building " + name + ": " + make);
        }
        return tool;
    }

    public static Path feature(String name) {
        return target().resolve("native-tests").resolve(name);
    }

    /** True when the kernel writes core files to a plain file name (not a pipe to a crash handler). */
    public static boolean kernelCoresToFiles() {
        try {
            String pattern = Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim();
            return !pattern.startsWith("|") && !pattern.contains("/");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    public static String corePatternName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim();
        } catch (java.io.IOException e) {
            return "core";
        }
    }
}
