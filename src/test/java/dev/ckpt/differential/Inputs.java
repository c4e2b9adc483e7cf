package dev.ckpt.differential;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The programs' input files, generated on first use under one directory from
 * fixed seeds: every run of the suite, on every machine, sees the same bytes.
 */
final class Inputs {
    private final Path root;
    private final Map<String, Path> made = new HashMap<>();

    Inputs(Path root) {
        this.root = root;
    }

    /** Text of about BYTES bytes: lines of words from a 5000-word vocabulary and numbers. */
    synchronized Path text(long bytes) throws IOException {
        String name = "text-" + bytes + ".txt";
        Path f = made.get(name);
        if (f != null) {
            return f;
        }
        f = root.resolve(name);
        SplittableRandom r = new SplittableRandom(7);
        String[] words = new String[5000];
        for (int i = 0; i < words.length; i++) {
            StringBuilder w = new StringBuilder();
            for (int n = 2 + r.nextInt(8); n > 0; n--) {
                w.append((char) ('a' + r.nextInt(26)));
            }
            words[i] = w.toString();
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
            long written = 0;
            StringBuilder line = new StringBuilder();
            while (written < bytes) {
                line.setLength(0);
                for (int n = 3 + r.nextInt(12); n > 0; n--) {
                    if (line.length() > 0) {
                        line.append(' ');
                    }
                    if (r.nextInt(5) == 0) {
                        line.append(r.nextInt(100_000));
                    } else {
                        line.append(words[r.nextInt(words.length)]);
                    }
                }
                line.append('\n');
                byte[] b = line.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(b);
                written += b.length;
            }
        }
        made.put(name, f);
        return f;
    }

    /** A directory of DIRS x FILES files of random bytes (0 to MAXSIZE bytes each). */
    synchronized Path tree(int dirs, int files, int maxSize) throws IOException {
        String name = "tree-" + dirs + "x" + files + "x" + maxSize;
        Path t = made.get(name);
        if (t != null) {
            return t;
        }
        t = root.resolve(name);
        SplittableRandom r = new SplittableRandom(3);
        for (int d = 0; d < dirs; d++) {
            Path sub = Files.createDirectories(t.resolve("d" + d));
            for (int i = 0; i < files; i++) {
                byte[] b = new byte[r.nextInt(maxSize + 1)];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) r.nextInt(256);
                }
                Files.write(sub.resolve("f" + i), b);
            }
        }
        // Fixed times, so that archives of the tree do not depend on when it was made.
        try (var s = Files.walk(t)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L));
            }
        }
        made.put(name, t);
        return t;
    }

    /** COUNT odd numbers of BITS bits each, as decimal strings (for factor's arguments). */
    static List<String> numbers(int count, int bits) {
        SplittableRandom r = new SplittableRandom(5);
        List<String> l = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            java.math.BigInteger n = java.math.BigInteger.ZERO;
            for (int b = 0; b < bits; b += 30) {
                n = n.shiftLeft(30).add(java.math.BigInteger.valueOf(r.nextInt(1 << 30)));
            }
            l.add(n.shiftRight(Math.max(0, n.bitLength() - bits)).setBit(0).setBit(bits - 1).toString());
        }
        return l;
    }

    /** A file named NAME holding TEXT (a script). */
    synchronized Path script(String name, String text) throws IOException {
        Path f = made.get(name);
        if (f == null) {
            f = Files.writeString(root.resolve(name), text, StandardCharsets.UTF_8);
            made.put(name, f);
        }
        return f;
    }
}
