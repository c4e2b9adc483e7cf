package dev.ckpt.mi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MiStringsTest {

    @Test
    void namedEscapes() throws Exception {
        assertThat(MiStrings.quote("a\"b\\c\nd\te\rf\bg\fh\u0007i\u001bj"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\ai\\ej\"");
        assertThat(MiStrings.unquote("\"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\ai\\ej\""))
                .isEqualTo("a\"b\\c\nd\te\rf\bg\fh\u0007i\u001bj");
        assertThat(MiStrings.unquote("\"\\v\\'\\?\"")).isEqualTo("\u000b'?");
    }

    @Test
    void nonPrintableAndNonAsciiAreOctalBytes() throws Exception {
        assertThat(MiStrings.quote("\u0000\u0001\u007f")).isEqualTo("\"\\000\\001\\177\"");
        assertThat(MiStrings.quote("caf\u00e9 \u20ac")).isEqualTo("\"caf\\303\\251 \\342\\202\\254\"");
        assertThat(MiStrings.unquote("\"caf\\303\\251 \\342\\202\\254\"")).isEqualTo("caf\u00e9 \u20ac");
        // an emoji outside the BMP: four UTF-8 bytes
        assertThat(MiStrings.unquote(MiStrings.quote("\uD83D\uDE00"))).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void rawBytesFromGdbAreUtf8() throws Exception {
        // a line read as ISO-8859-1 holds one char per byte: c3 a9 is "é"
        assertThat(MiStrings.unquote("\"caf\u00c3\u00a9\"")).isEqualTo("caf\u00e9");
    }

    @Test
    void shortOctalEscapes() throws Exception {
        assertThat(MiStrings.unquote("\"\\0x\\12y\"")).isEqualTo("\u0000x\ny");
    }

    @Test
    void unquoteReportsEnd() throws Exception {
        int[] end = new int[1];
        assertThat(MiStrings.unquote("x=\"ab\",y", 2, end)).isEqualTo("ab");
        assertThat(end[0]).isEqualTo(6);
    }

    @Test
    void malformedStringsFailWithPosition() {
        assertThatThrownBy(() -> MiStrings.unquote("\"abc")).isInstanceOfSatisfying(MiParseException.class,
                e -> assertThat(e.position()).isZero());
        assertThatThrownBy(() -> MiStrings.unquote("\"a\\qb\"")).isInstanceOfSatisfying(MiParseException.class,
                e -> {
                    assertThat(e.position()).isEqualTo(2);
                    assertThat(e.getMessage()).contains("unknown escape");
                });
        assertThatThrownBy(() -> MiStrings.unquote("\"a\\")).isInstanceOf(MiParseException.class);
        assertThatThrownBy(() -> MiStrings.unquote("\"\\777\"")).isInstanceOf(MiParseException.class);
        assertThatThrownBy(() -> MiStrings.unquote("abc")).isInstanceOf(MiParseException.class);
        assertThatThrownBy(() -> MiStrings.unquote("\"a\"b")).isInstanceOfSatisfying(MiParseException.class,
                e -> assertThat(e.position()).isEqualTo(3));
    }
}
