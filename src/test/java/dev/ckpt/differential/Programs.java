package dev.ckpt.differential;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * The programs of the differential suite. Each runs about a second on generated
 * input, so that random moments land in the middle of real work. .ci/run
 * installs the packages that a fresh machine lacks.
 */
final class Programs {
    private Programs() {}

    static final long MB = 1_000_000;

    /** Restart's refusal of a libsavefds.so core without the threads that block every signal. */
    static final String BLOCKED_THREADS = "the process had [0-9]+ threads, the core holds [0-9]+ \\(libsavefds.so"
            + " leaves out threads that block every signal\\); restoring it without them is not supported";

    /**
     * The programs: each must restart byte-identical by every method, except
     * where a known failure is declared ({@link Program#refusedBy}).
     */
    static final List<Program> ALL = Stream.concat(Stream.of(
            // compressors writing to stdout
            new Program("bzip2", (in, w) -> List.of("bzip2", "-9", "-c", in.text(10 * MB).toString())),
            // compressors writing a file of their own: reopened from the image
            new Program("xz", (in, w) -> List.of("xz", "-T1", "-3", "-k", copy(in.text(2 * MB), w, "data"))),
            // (--no-asyncio: zstd 1.5.4 reads and writes files in threads of its own otherwise)
            new Program("zstd", (in, w) -> List.of("zstd", "--single-thread", "--no-asyncio", "-q", "-15",
                    in.text(2 * MB).toString(), "-o", "out.zst")),
            // a checksum over many reads of one file
            new Program("b2sum", (in, w) -> repeat(List.of("b2sum"), in.text(12 * MB).toString(), 50)),
            // text tools
            new Program("sed-i", (in, w) -> List.of("sed", "-E", "-i", "s/([a-z]+) ([0-9]+)/\\2 \\1/g",
                    copy(in.text(12 * MB), w, "data"))),
            new Program("grep", (in, w) -> List.of("grep", "-n", "-E", "([a-z]+) \\1", in.text(10 * MB).toString())),
            new Program("tar", (in, w) -> {
                Path tree = in.tree(40, 250, 4000);
                return List.of("tar", "-cf", "out.tar", "-C", tree.getParent().toString(),
                        tree.getFileName().toString(), tree.getFileName().toString(), tree.getFileName().toString());
            }),
            new Program("factor", (in, w) -> {
                List<String> cmd = new ArrayList<>(List.of("factor"));
                cmd.addAll(Inputs.numbers(80, 100));
                return cmd;
            }),
            // interpreters
            new Program("gawk", (in, w) -> List.of("gawk", "-f", in.script("count.awk", Programs.AWK).toString(),
                    in.text(6 * MB).toString())),
            new Program("lua5.4", (in, w) -> List.of("lua5.4", in.script("sort.lua", Programs.LUA).toString())),
            new Program("dc", (in, w) -> List.of("dc", in.script("sqrt.dc", "6000k 2 v p\n").toString())),
            new Program("ruby", (in, w) -> List.of("ruby", "--disable-gems", in.script("hash.rb", Programs.RUBY).toString())),
            // threads: zstd's 2 workers and its I/O threads; xz's workers
            new Program("zstd-T2", (in, w) -> List.of("zstd", "-T2", "-q", "-12", "-c", in.text(8 * MB).toString())),
            // xz's workers block every signal: libsavefds.so cannot ask them for their
            // registers, leaves them out of its core, and restart refuses that core
            new Program("xz-T2", (in, w) -> List.of("xz", "-T2", "-1", "-c", in.text(4 * MB).toString()))

                    .refusedBy("savefds", BLOCKED_THREADS)),
            // event loops: node, asyncio, GLib, a JVM
            EventLoops.ALL.stream()).toList();

    /** The programs {@code -Dckpt.programs=a,b} selects (all when unset). */
    static Stream<Program> selected(List<Program> all) {
        String only = System.getProperty("ckpt.programs", "").trim();
        if (only.isEmpty()) {
            return all.stream();
        }
        List<String> names = Arrays.asList(only.split(","));
        return all.stream().filter(p -> names.contains(p.name()));
    }

    private static String copy(Path from, Path work, String name) throws java.io.IOException {
        return Files.copy(from, work.resolve(name)).getFileName().toString();
    }

    private static List<String> repeat(List<String> head, String arg, int times) {
        List<String> l = new ArrayList<>(head);
        l.addAll(Collections.nCopies(times, arg));
        return l;
    }

    /** Word counts: progress lines to stdout and to a file it keeps open, the table at the end. */
    static final String AWK = String.join("\n",
            "{ for (i = 1; i <= NF; i++) { c[$i]++; if ($i ~ /^[0-9]+$/) s += $i }",
            "  if (NR % 2000 == 0) { print NR, s, length(c); print NR, $1 > \"progress.txt\" } }",
            "END { n = asorti(c, k); for (i = 1; i <= n; i += 7) print k[i], c[k[i]] > \"counts.txt\";",
            "      print \"words\", n, \"sum\", s }", "");

    /** Sorting and hashing with many small allocations; output to stdout and to a file. */
    static final String LUA = String.join("\n",
            "local seed = 12345",
            "local function rnd() seed = (seed * 1103515245 + 12345) % 2147483648; return seed end",
            "local log = assert(io.open('lua.log', 'w'))",
            "for round = 1, 3 do",
            "  local t = {}",
            "  for i = 1, 150000 do t[i] = string.format('%08x', rnd()) end",
            "  table.sort(t)",
            "  local h = 0",
            "  for i = 1, #t do h = (h * 31 + tonumber(t[i], 16)) % 1000000007",
            "    if i % 5000 == 0 then print(round, i, t[i], h); log:write(round, ' ', i, ' ', h, '\\n') end end",
            "end",
            "log:close()", "");

    /** Arrays, hashes and strings; output to stdout and to a file it keeps open. */
    static final String RUBY = String.join("\n",
            "srand(42)",
            "log = File.open('ruby.log', 'w')",
            "5.times do |round|",
            "  a = Array.new(200_000) { rand(1_000_000) }",
            "  a.sort!",
            "  a.each_slice(2000) { |s| puts \"#{round} #{s.sum}\" }",
            "  h = Hash.new(0)",
            "  a.each { |x| h[(x * 7919) % 10_007] += x }",
            "  h.keys.sort.each_slice(500) { |ks| log.puts ks.map { |k| h[k] }.sum }",
            "  s = a.first(20_000).map(&:to_s).join(',')",
            "  puts s.hash.class, s.length",
            "end",
            "log.close", "");
}
