package dev.ckpt.mi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MiParserTest {

    @Test
    void recordKinds() throws Exception {
        assertThat(MiParser.parseRecord("12^running")).isEqualTo(new MiResultRecord(12L, "running", List.of()));
        assertThat(MiParser.parseRecord("^exit")).isEqualTo(new MiResultRecord(null, "exit", List.of()));
        assertThat(MiParser.parseRecord("+download,section=\".text\"")).isEqualTo(new MiAsyncRecord(null,
                MiAsyncRecord.Kind.STATUS, "download", List.of(new MiResult("section", new MiConst(".text")))));
        assertThat(MiParser.parseRecord("7*running,thread-id=\"all\"")).isInstanceOfSatisfying(MiAsyncRecord.class,
                r -> assertThat(r.token()).isEqualTo(7L));
        assertThat(MiParser.parseRecord("@\"target says\\n\"")).isEqualTo(
                new MiStreamRecord(MiStreamRecord.Kind.TARGET, "target says\n"));
    }

    @Test
    void emptyTupleAndList() throws Exception {
        MiResultRecord r = (MiResultRecord) MiParser.parseRecord("^done,a={},b=[],c=[[],{}]");
        assertThat(r.getTuple("a").orElseThrow().results()).isEmpty();
        assertThat(r.getList("b").orElseThrow().isEmpty()).isTrue();
        assertThat(r.getList("c").orElseThrow().values()).containsExactly(MiList.ofValues(List.of()), new MiTuple(List.of()));
        assertThat(r.toString()).isEqualTo("^done,a={},b=[],c=[[],{}]");
    }

    @Test
    void duplicateNamesKeepOrderAndFirstWins() throws Exception {
        MiTuple t = (MiTuple) ((MiResultRecord) MiParser.parseRecord("^done,t={x=\"1\",x=\"2\"}")).get("t").orElseThrow();
        assertThat(t.results()).hasSize(2);
        assertThat(t.getString("x")).contains("1");
        assertThat(t.getString("y")).isEmpty();
        assertThat(t.getTuple("x")).isEmpty();
    }

    @Test
    void prompt() {
        assertThat(MiParser.isPrompt("(gdb) ")).isTrue();
        assertThat(MiParser.isPrompt("(gdb)")).isTrue();
        assertThat(MiParser.isPrompt("(gdb) x")).isFalse();
    }

    @Test
    void outputWithoutPromptIsAnError() {
        assertThatThrownBy(() -> MiParser.parseOutput(List.of("^done"))).isInstanceOf(MiParseException.class);
        assertThatThrownBy(() -> MiParser.parseOutputs("^done\n(gdb) \n~\"x\"\n")).isInstanceOf(MiParseException.class);
        assertThatThrownBy(() -> MiParser.parseOutput(List.of("1^done", "2^done", "(gdb) ")))
                .isInstanceOf(MiParseException.class).hasMessageContaining("second result record");
    }

    @Test
    void carriageReturnsAreDropped() throws Exception {
        assertThat(MiParser.parseRecord("^done,a=\"1\"\r").toString()).isEqualTo("^done,a=\"1\"");
    }

    /** Malformed lines fail with the position of the problem; none becomes program output. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "''                         | 0",
        "'(gdb) '                   | 0",
        "'hello world'              | 0",
        "'12'                       | 2",
        "'12x'                      | 2",
        "'^'                        | 1",
        "'^done,'                   | 6",
        "'^done,a'                  | 7",
        "'^done,a='                 | 8",
        "'^done,a=1'                | 8",
        "'^done,a=\"1\" b'          | 11",
        "'^done,a={b=\"1\"'         | 14",
        "'^done,a=[\"1\",b=\"2\"]'  | 13",
        "'^done,a=[b=\"1\",\"2\"]'  | 15",
        "'^done,a=\"abc'            | 8",
        "'~abc'                     | 1",
        "'*stopped,reason=\"x\"}'   | 19",
        "'99999999999999999999^done' | 0",
    })
    void malformedLines(String line, int position) {
        assertThatThrownBy(() -> MiParser.parseRecord(line)).isInstanceOfSatisfying(MiParseException.class, e -> {
            assertThat(e.position()).as(e.getMessage()).isEqualTo(position);
            assertThat(e.line()).isEqualTo(line);
        });
    }

    @Test
    void constructorsRejectWhatCannotBeWritten() {
        assertThatThrownBy(() -> new MiResult("a b", new MiConst("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MiList(List.of(new MiConst("x")), List.of(new MiResult("a", new MiConst("y")))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MiResultRecord(-1L, "done", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void commands() {
        assertThat(MiCommand.of("-break-insert", "linklist.c:29").toLine(3)).isEqualTo("3-break-insert linklist.c:29");
        assertThat(MiCommand.of("-file-exec-and-symbols", "/tmp/a b/prog").toString())
                .isEqualTo("-file-exec-and-symbols \"/tmp/a b/prog\"");
        assertThat(MiCommand.console("set args 'x y' < \"/proc/1/fd/0\"").toString())
                .isEqualTo("-interpreter-exec console \"set args 'x y' < \\\"/proc/1/fd/0\\\"\"");
        assertThat(MiCommand.of("-x", "").toString()).isEqualTo("-x \"\"");
        assertThatThrownBy(() -> MiCommand.of("break-insert")).isInstanceOf(IllegalArgumentException.class);
    }
}
