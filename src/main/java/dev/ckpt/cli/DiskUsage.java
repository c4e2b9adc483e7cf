package dev.ckpt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The bytes a file takes on disk (st_blocks x 512, from {@code stat}; the JDK does not
 * give st_blocks): for a sparse image, the resident size beside its virtual size.
 */
final class DiskUsage {
    private DiskUsage() {}

    static OptionalLong of(Path file) {
        try {
            Process p = new ProcessBuilder("stat", "-L", "-c", "%b %B", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return OptionalLong.empty();
            }
            String[] f = out.split(" ");
            return OptionalLong.of(Long.parseLong(f[0]) * Long.parseLong(f[1]));
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }
}
