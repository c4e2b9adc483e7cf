package dev.ckpt.mi;

import java.util.Objects;

/** {@code result -> variable "=" value}. */
public record MiResult(String variable, MiValue value) {
    public MiResult {
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(value, "value");
        if (!MiParser.isVariable(variable)) {
            throw new IllegalArgumentException("not an MI variable name: \"" + variable + "\"");
        }
    }

    @Override
    public String toString() {
        return variable + "=" + value;
    }
}
