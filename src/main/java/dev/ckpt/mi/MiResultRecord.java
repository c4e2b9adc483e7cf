package dev.ckpt.mi;

import java.util.List;
import java.util.Objects;

/**
 * {@code result-record -> [ token ] "^" result-class ( "," result )* nl}, e.g.
 * <pre>
 * 2^done,bkpt={number="1",type="breakpoint",...,line="29",times="0"}
 * 5^error,msg="No source file named nosuch.c."
 * </pre>
 *
 * @param token the command's token, or null when the command had none
 * @param resultClass {@code done}, {@code running}, {@code connected}, {@code error} or {@code exit}
 */
public record MiResultRecord(Long token, String resultClass, List<MiResult> results) implements MiRecord, MiResults {
    public MiResultRecord {
        Objects.requireNonNull(resultClass, "resultClass");
        results = List.copyOf(results);
        if (token != null && token < 0) {
            throw new IllegalArgumentException("negative token");
        }
    }

    public boolean isError() {
        return "error".equals(resultClass);
    }

    /** gdb's {@code msg} of an {@code ^error}, or "" when there is none. */
    public String errorMessage() {
        return getString("msg").orElse("");
    }

    @Override
    public String toString() {
        return (token == null ? "" : token.toString()) + "^" + resultClass + MiResults.commaPrefixed(results);
    }
}
