package dev.ckpt.mi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One GDB/MI input command: {@code [ token ] "-" operation ( " " option )* [ " --" ] ( " " parameter )* nl}.
 * Parameters that are not plain words are written as c-strings, which gdb's MI
 * argument parser decodes. {@code toString()} gives the command without token
 * and newline.
 */
public record MiCommand(String operation, List<String> parameters) {
    public MiCommand {
        Objects.requireNonNull(operation, "operation");
        if (!operation.startsWith("-") || operation.length() < 2 || !MiParser.isVariable(operation.substring(1))) {
            throw new IllegalArgumentException("not an MI operation: " + operation);
        }
        parameters = List.copyOf(parameters);
    }

    public static MiCommand of(String operation, String... parameters) {
        return new MiCommand(operation, List.of(parameters));
    }

    /**
     * {@code -interpreter-exec console "CLI COMMAND"}: runs a CLI command (one line)
     * with its output coming back as console stream records.
     */
    public static MiCommand console(String cliCommand) {
        return of("-interpreter-exec", "console", cliCommand);
    }

    /** A parameter as gdb's MI argument parser reads it: bare when safe, else a c-string. */
    public static String parameter(String p) {
        if (p.isEmpty()) {
            return "\"\"";
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_./:+@%,=".indexOf(c) >= 0;
            if (!plain) {
                return MiStrings.quote(p);
            }
        }
        return p;
    }

    /** The line to send, with its token (without the newline). */
    public String toLine(long token) {
        return token + toString();
    }

    @Override
    public String toString() {
        List<String> words = new ArrayList<>();
        words.add(operation);
        for (String p : parameters) {
            words.add(parameter(p));
        }
        return String.join(" ", words);
    }
}
