package dev.ckpt.mi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * C-string escaping as GDB/MI uses it, in one place.
 *
 * <p>gdb writes the contents of a {@code c-string} with the escapes of its
 * {@code printchar}: {@code \n \t \r \b \f \a \e \" \\} and three-digit octal
 * ({@code \033}) for other bytes it does not print as they are. An escape stands
 * for a byte, not a character, so decoding collects bytes and reads them as UTF-8.
 * Lines are read from gdb as ISO-8859-1, which keeps every byte as one char.
 *
 * <p>{@link #quote} writes what gdb's own MI input parser ({@code mi_parse_argv})
 * and output reader accept: printable ASCII as is, the named escapes, octal for
 * everything else (every byte of a non-ASCII character).
 */
public final class MiStrings {
    private MiStrings() {}

    /** The text between the quotes of a c-string (escaped, without the quotes). */
    public static String escape(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case 0x07 -> sb.append("\\a");
                case 0x1b -> sb.append("\\e");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append('\\')
                                .append((char) ('0' + ((c >> 6) & 7)))
                                .append((char) ('0' + ((c >> 3) & 7)))
                                .append((char) ('0' + (c & 7)));
                    }
                }
            }
        }
        return sb.toString();
    }

    /** {@code text} as a c-string, quotes included. */
    public static String quote(String text) {
        return '"' + escape(text) + '"';
    }

    /**
     * Reads the c-string that starts (with its opening quote) at {@code start} of
     * {@code line}.
     *
     * @return the decoded text; {@code end[0]} receives the index just after the closing quote
     * @throws MiParseException when there is no opening quote, no closing quote, or a bad escape
     */
    public static String unquote(String line, int start, int[] end) throws MiParseException {
        if (start >= line.length() || line.charAt(start) != '"') {
            throw new MiParseException("expected '\"'", line, start);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = start + 1;
        while (true) {
            if (i >= line.length()) {
                throw new MiParseException("unterminated c-string", line, start);
            }
            char c = line.charAt(i);
            if (c == '"') {
                end[0] = i + 1;
                return bytes.toString(StandardCharsets.UTF_8);
            }
            if (c != '\\') {
                putChar(bytes, c);
                i++;
                continue;
            }
            if (i + 1 >= line.length()) {
                throw new MiParseException("escape at end of line", line, i);
            }
            char e = line.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'n' -> bytes.write('\n');
                case 't' -> bytes.write('\t');
                case 'r' -> bytes.write('\r');
                case 'b' -> bytes.write('\b');
                case 'f' -> bytes.write('\f');
                case 'v' -> bytes.write(0x0b);
                case 'a' -> bytes.write(0x07);
                case 'e' -> bytes.write(0x1b);
                case '"' -> bytes.write('"');
                case '\\' -> bytes.write('\\');
                case '\'' -> bytes.write('\'');
                case '?' -> bytes.write('?');
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        int n = 1;
                        while (n < 3 && i < line.length() && line.charAt(i) >= '0' && line.charAt(i) <= '7') {
                            v = v * 8 + (line.charAt(i) - '0');
                            i++;
                            n++;
                        }
                        if (v > 0xff) {
                            throw new MiParseException("octal escape out of range", line, i - n - 1);
                        }
                        bytes.write(v);
                    } else {
                        throw new MiParseException("unknown escape '\\" + e + "'", line, i - 2);
                    }
                }
            }
        }
    }

    /** Decodes a whole c-string (quotes included) that is the entire argument. */
    public static String unquote(String quoted) throws MiParseException {
        int[] end = new int[1];
        String s = unquote(quoted, 0, end);
        if (end[0] != quoted.length()) {
            throw new MiParseException("text after the closing quote", quoted, end[0]);
        }
        return s;
    }

    /** Lines hold one char per byte (ISO-8859-1); a char above 0xff came from a Java string: write it as UTF-8. */
    private static void putChar(ByteArrayOutputStream bytes, char c) {
        if (c <= 0xff) {
            bytes.write(c);
        } else {
            byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            bytes.write(b, 0, b.length);
        }
    }
}
