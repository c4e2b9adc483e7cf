package dev.ckpt.mi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser on transcripts recorded from gdb 13.1 (src/test/resources/mi/, see README.md there). */
class MiTranscriptTest {

    static String transcript(String name) throws IOException {
        try (InputStream in = MiTranscriptTest.class.getResourceAsStream("/mi/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static List<String> recordLines(String name) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : transcript(name).split("\n")) {
            if (!l.isEmpty() && !MiParser.isPrompt(l)) {
                lines.add(l);
            }
        }
        return lines;
    }

    /** Every record line parses, and re-emitting it gives gdb's line byte for byte. */
    @ParameterizedTest
    @ValueSource(strings = {"breakpoint.mi", "errors.mi", "strings.mi", "internal.mi", "attach.mi"})
    void everyLineRoundTrips(String name) throws Exception {
        List<String> lines = recordLines(name);
        assertThat(lines).hasSizeGreaterThan(5);
        for (String l : lines) {
            assertThat(MiParser.parseRecord(l).toString()).isEqualTo(l);
        }
    }

    /** The output production: out-of-band records, result record, prompt. */
    @ParameterizedTest
    @ValueSource(strings = {"breakpoint.mi", "errors.mi", "strings.mi", "internal.mi", "attach.mi"})
    void outputsParseAndReEmit(String name) throws Exception {
        String text = transcript(name);
        // gdb's last output (after -gdb-exit) has no prompt: take the prompt-terminated part
        String cut = text.substring(0, text.lastIndexOf("(gdb) \n") + "(gdb) \n".length());
        List<MiOutput> outputs = MiParser.parseOutputs(cut);
        assertThat(outputs).hasSizeGreaterThan(3);
        StringBuilder again = new StringBuilder();
        outputs.forEach(again::append);
        assertThat(again.toString()).isEqualTo(cut);
    }

    @Test
    void breakpointInsertion() throws Exception {
        MiResultRecord r = (MiResultRecord) MiParser.parseRecord(line("breakpoint.mi", "2^done"));
        assertThat(r.token()).isEqualTo(2L);
        assertThat(r.resultClass()).isEqualTo("done");
        MiTuple bkpt = r.getTuple("bkpt").orElseThrow();
        assertThat(bkpt.getString("number")).contains("1");
        assertThat(bkpt.getString("file")).contains("../examples/linklist.c");
        assertThat(bkpt.getString("line")).contains("29");
        assertThat(bkpt.getString("original-location")).contains("linklist.c:29");
        MiList groups = bkpt.getList("thread-groups").orElseThrow();
        assertThat(groups.values()).containsExactly(new MiConst("i1"));
        assertThat(groups.results()).isEmpty();
    }

    @Test
    void conditionAndStop() throws Exception {
        MiResultRecord cond = (MiResultRecord) MiParser.parseRecord(line("breakpoint.mi", "3^done"));
        assertThat(cond.getTuple("bkpt").orElseThrow().getString("cond")).contains("i == 2");
        MiAsyncRecord stop = (MiAsyncRecord) MiParser.parseRecord(line("breakpoint.mi", "*stopped"));
        assertThat(stop.kind()).isEqualTo(MiAsyncRecord.Kind.EXEC);
        assertThat(stop.asyncClass()).isEqualTo("stopped");
        assertThat(stop.token()).isNull();
        assertThat(stop.getString("reason")).contains("breakpoint-hit");
        assertThat(stop.getString("bkptno")).contains("1");
        MiTuple frame = stop.getTuple("frame").orElseThrow();
        assertThat(frame.getString("line")).contains("29");
        assertThat(frame.getList("args").orElseThrow().isEmpty()).isTrue();
    }

    /** Nested tuples and lists, and lists of results (BreakpointTable, stack, variables). */
    @Test
    void nestedTuplesAndListsOfResults() throws Exception {
        MiResultRecord table = (MiResultRecord) MiParser.parseRecord(line("breakpoint.mi", "6^done"));
        MiTuple bt = table.getTuple("BreakpointTable").orElseThrow();
        assertThat(bt.getString("nr_rows")).contains("2");
        MiList hdr = bt.getList("hdr").orElseThrow();
        assertThat(hdr.values()).hasSize(6).allMatch(v -> v instanceof MiTuple);
        assertThat(((MiTuple) hdr.values().get(5)).getString("colhdr")).contains("What");
        MiList body = bt.getList("body").orElseThrow();
        assertThat(body.values()).isEmpty();
        assertThat(body.results()).hasSize(2).allMatch(r -> r.variable().equals("bkpt"));
        assertThat(((MiTuple) body.results().get(1).value()).getString("times")).contains("0");

        MiResultRecord frames = (MiResultRecord) MiParser.parseRecord(line("breakpoint.mi", "7^done"));
        MiList stack = frames.getList("stack").orElseThrow();
        assertThat(stack.results()).extracting(MiResult::variable).containsOnly("frame");

        MiResultRecord children = (MiResultRecord) MiParser.parseRecord(line("strings.mi", "9^done"));
        MiList kids = children.getList("children").orElseThrow();
        assertThat(kids.results()).hasSize(2);
        assertThat(((MiTuple) kids.results().get(0).value()).getString("type")).contains("struct inner [2]");
        MiResultRecord vars = (MiResultRecord) MiParser.parseRecord(line("strings.mi", "6^done"));
        MiList list = vars.getList("variables").orElseThrow();
        assertThat(list.values()).hasSize(3);
        assertThat(((MiTuple) list.values().get(2)).getString("value")).contains("{7, 8, 9}");
    }

    /** C-string escapes: quotes, backslashes, \t \n, \033 inside gdb's own quoting, octal bytes of UTF-8. */
    @Test
    void escapedCStrings() throws Exception {
        MiResultRecord r = (MiResultRecord) MiParser.parseRecord(line("strings.mi", "5^done"));
        assertThat(r.getString("value")).contains(
                "0x555555556008 \"tab\\there \\\"quoted\\\" back\\\\slash\\nnewline \\033esc caf\u00e9 \u20ac\"");
        MiStreamRecord s = (MiStreamRecord) MiParser.parseRecord(line("strings.mi", "~\"$1 = "));
        assertThat(s.kind()).isEqualTo(MiStreamRecord.Kind.CONSOLE);
        assertThat(s.text()).startsWith("$1 = 0x").endsWith("caf\u00e9 \u20ac\"\n");
        MiStreamRecord src = (MiStreamRecord) MiParser.parseRecord(line("strings.mi", "~\"9\\t"));
        assertThat(src.text()).isEqualTo("9\t\tprintf(\"%s %d %d\\n\", text, o.in[1].a, arr[2]);\n");
    }

    @Test
    void errorsCarryGdbsMessage() throws Exception {
        List<MiResultRecord> errors = new ArrayList<>();
        for (String l : recordLines("errors.mi")) {
            if (MiParser.parseRecord(l) instanceof MiResultRecord rr && rr.isError()) {
                errors.add(rr);
            }
        }
        assertThat(errors).extracting(MiResultRecord::errorMessage).contains(
                "No source file named nosuch.c.",
                "Function \"nosuchfunc\" not defined.",
                "Undefined MI command: kill",
                "Undefined command: \"frobnicate\".  Try \"help\".");
        assertThat(errors.get(3).getString("code")).contains("undefined-command");
        MiStreamRecord log = (MiStreamRecord) MiParser.parseRecord(line("errors.mi", "&"));
        assertThat(log.kind()).isEqualTo(MiStreamRecord.Kind.LOG);
        assertThat(log.text()).isEqualTo("Undefined command: \"frobnicate\".  Try \"help\".\n");
    }

    /** Async notifications: thread groups with pid and exit code, exits, signals, internal breakpoints. */
    @Test
    void asyncNotifications() throws Exception {
        MiAsyncRecord started = (MiAsyncRecord) MiParser.parseRecord(line("internal.mi", "=thread-group-started"));
        assertThat(started.kind()).isEqualTo(MiAsyncRecord.Kind.NOTIFY);
        assertThat(started.getString("pid")).hasValueSatisfying(p -> assertThat(Long.parseLong(p)).isPositive());
        MiAsyncRecord exited = (MiAsyncRecord) MiParser.parseRecord(line("internal.mi", "=thread-group-exited,id=\"i1\",exit-code"));
        assertThat(exited.getString("exit-code")).contains("02");
        MiAsyncRecord lib = (MiAsyncRecord) MiParser.parseRecord(line("internal.mi", "=library-loaded"));
        MiList ranges = lib.getList("ranges").orElseThrow();
        assertThat(((MiTuple) ranges.values().get(0)).getString("from")).hasValueSatisfying(v -> assertThat(v).startsWith("0x"));
        List<MiAsyncRecord> stops = new ArrayList<>();
        for (String l : recordLines("internal.mi")) {
            if (MiParser.parseRecord(l) instanceof MiAsyncRecord a && a.asyncClass().equals("stopped")) {
                stops.add(a);
            }
        }
        assertThat(stops).extracting(a -> a.getString("reason").orElse("")).containsExactly(
                "exited", "breakpoint-hit", "exited-signalled");
        assertThat(stops.get(1).getString("bkptno")).contains("-1");
        assertThat(stops.get(2).getString("signal-name")).contains("SIGSEGV");
    }

    /** The first line of a transcript that starts with {@code prefix}. */
    static String line(String name, String prefix) throws IOException {
        for (String l : recordLines(name)) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError(name + ": no line starts with " + prefix);
    }
}
