package dev.ckpt.mi;

/** A line that is not GDB/MI output; carries the line and the position where parsing failed. */
public final class MiParseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String line;
    private final int position;

    public MiParseException(String problem, String line, int position) {
        super(problem + " at column " + position + " of: " + abbreviate(line));
        this.line = line;
        this.position = position;
    }

    /** The line that failed to parse. */
    public String line() {
        return line;
    }

    /** Index into {@link #line()} where the problem was found. */
    public int position() {
        return position;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
