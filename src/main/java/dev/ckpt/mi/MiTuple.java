package dev.ckpt.mi;

import java.util.List;
import java.util.stream.Collectors;

/** {@code tuple -> "{}" | "{" result ( "," result )* "}"}. */
public record MiTuple(List<MiResult> results) implements MiValue, MiResults {
    public MiTuple {
        results = List.copyOf(results);
    }

    @Override
    public String toString() {
        return results.stream().map(MiResult::toString).collect(Collectors.joining(",", "{", "}"));
    }
}
