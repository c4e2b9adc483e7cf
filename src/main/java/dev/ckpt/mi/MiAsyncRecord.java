package dev.ckpt.mi;

import java.util.List;
import java.util.Objects;

/**
 * {@code async-record -> [ token ] ( "*" | "+" | "=" ) async-class ( "," result )* nl}, e.g.
 * <pre>
 * *stopped,reason="breakpoint-hit",disp="keep",bkptno="1",frame={...},thread-id="1"
 * =thread-group-started,id="i1",pid="4244"
 * </pre>
 *
 * @param token a token, or null (gdb rarely sets one on async output)
 */
public record MiAsyncRecord(Long token, Kind kind, String asyncClass, List<MiResult> results)
        implements MiOobRecord, MiResults {

    /** The three kinds of asynchronous output and their prefix characters. */
    public enum Kind {
        /** {@code *}: the target changed state (running, stopped). */
        EXEC('*'),
        /** {@code +}: progress of a slow operation. */
        STATUS('+'),
        /** {@code =}: something the front end should know (breakpoints, threads, libraries). */
        NOTIFY('=');

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

    public MiAsyncRecord {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(asyncClass, "asyncClass");
        results = List.copyOf(results);
        if (token != null && token < 0) {
            throw new IllegalArgumentException("negative token");
        }
    }

    @Override
    public String toString() {
        return (token == null ? "" : token.toString()) + kind.prefix + asyncClass + MiResults.commaPrefixed(results);
    }
}
