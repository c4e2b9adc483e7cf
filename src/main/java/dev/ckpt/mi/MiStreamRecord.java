package dev.ckpt.mi;

import java.util.Objects;

/**
 * {@code stream-record -> ( "~" | "@" | "&" ) c-string nl}, e.g.
 * <pre>
 * ~"Breakpoint 1, main () at ../examples/linklist.c:29\n"
 * &amp;"No source file named nosuch.c.\n"
 * </pre>
 */
public record MiStreamRecord(Kind kind, String text) implements MiOobRecord {

    /** The three output streams and their prefix characters. */
    public enum Kind {
        /** {@code ~}: gdb's console output (what the CLI would print). */
        CONSOLE('~'),
        /** {@code @}: output of the target (remote targets only). */
        TARGET('@'),
        /** {@code &}: gdb's internal messages and errors, echoed commands. */
        LOG('&');

        private final char prefix;

        Kind(char prefix) {
            this.prefix = prefix;
        }

        public char prefix() {
            return prefix;
        }

        static Kind of(char c) {
            for (Kind k : values()) {
                if (k.prefix == c) {
                    return k;
                }
            }
            return null;
        }
    }

    public MiStreamRecord {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return kind.prefix + MiStrings.quote(text);
    }
}
