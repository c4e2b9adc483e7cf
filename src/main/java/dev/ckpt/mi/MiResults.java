package dev.ckpt.mi;

import java.util.List;
import java.util.Optional;

/**
 * Lookups shared by everything that holds a list of results (tuples, result
 * records, async records). A name may occur more than once; lookups give the first.
 */
public interface MiResults {
    /** The results in wire order. */
    List<MiResult> results();

    /** The value of the first result named {@code name}. */
    default Optional<MiValue> get(String name) {
        for (MiResult r : results()) {
            if (r.variable().equals(name)) {
                return Optional.of(r.value());
            }
        }
        return Optional.empty();
    }

    /** The text of the first result named {@code name} when it is a const. */
    default Optional<String> getString(String name) {
        return get(name).filter(v -> v instanceof MiConst).map(v -> ((MiConst) v).value());
    }

    /** The first result named {@code name} when it is a tuple. */
    default Optional<MiTuple> getTuple(String name) {
        return get(name).filter(v -> v instanceof MiTuple).map(v -> (MiTuple) v);
    }

    /** The first result named {@code name} when it is a list. */
    default Optional<MiList> getList(String name) {
        return get(name).filter(v -> v instanceof MiList).map(v -> (MiList) v);
    }

    /** Wire syntax of the results, each preceded by a comma. */
    static String commaPrefixed(List<MiResult> results) {
        StringBuilder sb = new StringBuilder();
        for (MiResult r : results) {
            sb.append(',').append(r);
        }
        return sb.toString();
    }
}
