package dev.ckpt.mi;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code list -> "[]" | "[" value ( "," value )* "]" | "[" result ( "," result )* "]"}.
 * As in CDT's {@code MIList}, a list holds values or results, never both; the empty
 * list holds neither.
 */
public record MiList(List<MiValue> values, List<MiResult> results) implements MiValue, MiResults {
    public MiList {
        values = List.copyOf(values);
        results = List.copyOf(results);
        if (!values.isEmpty() && !results.isEmpty()) {
            throw new IllegalArgumentException("an MI list holds values or results, not both");
        }
    }

    public static MiList ofValues(List<MiValue> values) {
        return new MiList(values, List.of());
    }

    public static MiList ofResults(List<MiResult> results) {
        return new MiList(List.of(), results);
    }

    public boolean isEmpty() {
        return values.isEmpty() && results.isEmpty();
    }

    @Override
    public String toString() {
        List<?> items = results.isEmpty() ? values : results;
        return items.stream().map(Object::toString).collect(Collectors.joining(",", "[", "]"));
    }
}
