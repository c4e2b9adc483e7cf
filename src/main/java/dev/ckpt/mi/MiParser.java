package dev.ckpt.mi;

import java.util.ArrayList;
import java.util.List;

/**
 * Parser for GDB/MI output (gdb manual, "GDB/MI Output Syntax"), mirroring the
 * record model of Eclipse CDT's {@code MIParser}. One method per production:
 *
 * <pre>
 * output             -> ( out-of-band-record )* [ result-record ] "(gdb)" nl        {@link #parseOutput}
 *                       (gdb 13 also prints out-of-band records after the result record,
 *                       e.g. *stopped after -target-attach's ^done: accepted there too)
 * result-record      -> [ token ] "^" result-class ( "," result )* nl                {@link #resultRecord}
 * out-of-band-record -> async-record | stream-record
 * async-record       -> exec-async-output | status-async-output | notify-async-output {@link #asyncRecord}
 * exec-async-output  -> [ token ] "*" async-output nl
 * status-async-output-> [ token ] "+" async-output nl
 * notify-async-output-> [ token ] "=" async-output nl
 * async-output       -> async-class ( "," result )*
 * result-class       -> "done" | "running" | "connected" | "error" | "exit"           {@link #word}
 * async-class        -> "stopped" | others (a word)                                  {@link #word}
 * result             -> variable "=" value                                           {@link #result}
 * variable           -> string (letters, digits, '-', '_', '.')                      {@link #variable}
 * value              -> const | tuple | list                                         {@link #value}
 * const              -> c-string                                                     {@link #cString}
 * tuple              -> "{}" | "{" result ( "," result )* "}"                        {@link #tuple}
 * list               -> "[]" | "[" value ( "," value )* "]" | "[" result ( "," result )* "]"   {@link #list}
 * stream-record      -> console-stream-output | target-stream-output | log-stream-output      {@link #streamRecord}
 * console-stream-output -> "~" c-string nl
 * target-stream-output  -> "@" c-string nl
 * log-stream-output     -> "&amp;" c-string nl
 * token              -> any sequence of digits                                       {@link #token}
 * </pre>
 *
 * Lines are given without their newline, decoded as ISO-8859-1 (one char per byte
 * from gdb); escapes in c-strings are handled by {@link MiStrings}. Anything that
 * does not follow the grammar is a {@link MiParseException} with its position;
 * nothing is quietly taken as program output.
 */
public final class MiParser {
    /** The prompt line gdb prints after each output ({@code "(gdb) "}). */
    public static final String PROMPT = "(gdb) ";

    private final String line;
    private int pos;

    private MiParser(String line) {
        this.line = line;
    }

    /** True for the prompt line that ends an output ({@code "(gdb) "}, trailing blanks optional). */
    public static boolean isPrompt(String line) {
        return line.stripTrailing().equals("(gdb)");
    }

    /** Parses one record line (no prompt, no newline). */
    public static MiRecord parseRecord(String line) throws MiParseException {
        MiParser p = new MiParser(stripCr(line));
        MiRecord r = p.record();
        p.expectEnd();
        return r;
    }

    /**
     * Parses the production {@code output}: records, at most one of them a result
     * record, and the prompt line, which must come last.
     */
    public static MiOutput parseOutput(List<String> lines) throws MiParseException {
        List<MiRecord> records = new ArrayList<>();
        boolean haveResult = false;
        int n = lines.size();
        if (n == 0 || !isPrompt(stripCr(lines.get(n - 1)))) {
            throw new MiParseException("output does not end with the prompt \"(gdb)\"",
                    n == 0 ? "" : lines.get(n - 1), 0);
        }
        for (int i = 0; i < n - 1; i++) {
            String l = stripCr(lines.get(i));
            if (isPrompt(l)) {
                throw new MiParseException("prompt before the end of the output", l, 0);
            }
            MiRecord r = parseRecord(l);
            if (r instanceof MiResultRecord) {
                if (haveResult) {
                    throw new MiParseException("second result record in one output", l, 0);
                }
                haveResult = true;
            }
            records.add(r);
        }
        return new MiOutput(records);
    }

    /** Parses text holding several outputs, each ending with a prompt line. */
    public static List<MiOutput> parseOutputs(String text) throws MiParseException {
        List<MiOutput> outputs = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (String l : text.split("\n", -1)) {
            if (l.isEmpty()) {
                continue;
            }
            pending.add(l);
            if (isPrompt(stripCr(l))) {
                outputs.add(parseOutput(pending));
                pending.clear();
            }
        }
        if (!pending.isEmpty()) {
            throw new MiParseException("output does not end with the prompt \"(gdb)\"", pending.get(pending.size() - 1), 0);
        }
        return outputs;
    }

    /** True when {@code s} can be an MI variable name. */
    public static boolean isVariable(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isNameChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    // ---- productions ------------------------------------------------------

    /** record -> result-record | async-record | stream-record, telling them apart by the first char after the token. */
    private MiRecord record() throws MiParseException {
        if (atEnd()) {
            throw error("empty line");
        }
        char c = peek();
        if (MiStreamRecord.Kind.of(c) != null) {
            return streamRecord();
        }
        int start = pos;
        Long token = token();
        if (atEnd()) {
            throw error("expected '^', '*', '+', '=', '~', '@' or '&'");
        }
        c = peek();
        if (c == '^') {
            return resultRecord(token);
        }
        if (MiAsyncRecord.Kind.of(c) != null) {
            return asyncRecord(token);
        }
        pos = Math.max(pos, start);
        throw error("expected '^', '*', '+', '=', '~', '@' or '&'");
    }

    /** token -> any sequence of digits (none: null). */
    private Long token() throws MiParseException {
        int start = pos;
        while (!atEnd() && peek() >= '0' && peek() <= '9') {
            pos++;
        }
        if (pos == start) {
            return null;
        }
        try {
            return Long.parseLong(line.substring(start, pos));
        } catch (NumberFormatException e) {
            pos = start;
            throw error("token out of range");
        }
    }

    private MiResultRecord resultRecord(Long token) throws MiParseException {
        expect('^');
        String resultClass = word("result class");
        return new MiResultRecord(token, resultClass, commaResults());
    }

    private MiAsyncRecord asyncRecord(Long token) throws MiParseException {
        MiAsyncRecord.Kind kind = MiAsyncRecord.Kind.of(peek());
        pos++;
        String asyncClass = word("async class");
        return new MiAsyncRecord(token, kind, asyncClass, commaResults());
    }

    private MiStreamRecord streamRecord() throws MiParseException {
        MiStreamRecord.Kind kind = MiStreamRecord.Kind.of(peek());
        pos++;
        return new MiStreamRecord(kind, cString());
    }

    /** ( "," result )* up to the end of the line. */
    private List<MiResult> commaResults() throws MiParseException {
        List<MiResult> results = new ArrayList<>();
        while (!atEnd()) {
            expect(',');
            results.add(result());
        }
        return results;
    }

    private MiResult result() throws MiParseException {
        String name = variable();
        expect('=');
        return new MiResult(name, value());
    }

    private String variable() throws MiParseException {
        int start = pos;
        while (!atEnd() && isNameChar(peek())) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a variable name");
        }
        return line.substring(start, pos);
    }

    /** result-class / async-class: a non-empty run of name characters. */
    private String word(String what) throws MiParseException {
        int start = pos;
        while (!atEnd() && isNameChar(peek())) {
            pos++;
        }
        if (pos == start) {
            throw error("expected " + what);
        }
        return line.substring(start, pos);
    }

    private MiValue value() throws MiParseException {
        if (atEnd()) {
            throw error("expected a value");
        }
        return switch (peek()) {
            case '"' -> new MiConst(cString());
            case '{' -> tuple();
            case '[' -> list();
            default -> throw error("expected a value ('\"', '{' or '[')");
        };
    }

    private MiTuple tuple() throws MiParseException {
        expect('{');
        List<MiResult> results = new ArrayList<>();
        if (!atEnd() && peek() == '}') {
            pos++;
            return new MiTuple(results);
        }
        results.add(result());
        while (!atEnd() && peek() == ',') {
            pos++;
            results.add(result());
        }
        expect('}');
        return new MiTuple(results);
    }

    private MiList list() throws MiParseException {
        expect('[');
        if (!atEnd() && peek() == ']') {
            pos++;
            return MiList.ofValues(List.of());
        }
        if (atEnd()) {
            throw error("unterminated list");
        }
        char c = peek();
        if (c == '"' || c == '{' || c == '[') {
            List<MiValue> values = new ArrayList<>();
            values.add(value());
            while (!atEnd() && peek() == ',') {
                pos++;
                values.add(value());
            }
            expect(']');
            return MiList.ofValues(values);
        }
        List<MiResult> results = new ArrayList<>();
        results.add(result());
        while (!atEnd() && peek() == ',') {
            pos++;
            results.add(result());
        }
        expect(']');
        return MiList.ofResults(results);
    }

    private String cString() throws MiParseException {
        int[] end = new int[1];
        String s = MiStrings.unquote(line, pos, end);
        pos = end[0];
        return s;
    }

    // ---- cursor ---------------------------------------------------------------

    private boolean atEnd() {
        return pos >= line.length();
    }

    private char peek() {
        return line.charAt(pos);
    }

    private void expect(char c) throws MiParseException {
        if (atEnd() || peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void expectEnd() throws MiParseException {
        if (!atEnd()) {
            throw error("unexpected text after the record");
        }
    }

    private MiParseException error(String problem) {
        return new MiParseException(problem, line, pos);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.';
    }

    private static String stripCr(String l) {
        return l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
    }
}
