package dev.ckpt.mi;

import java.util.Objects;

/** {@code const -> c-string}: the decoded text. */
public record MiConst(String value) implements MiValue {
    public MiConst {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return MiStrings.quote(value);
    }
}
