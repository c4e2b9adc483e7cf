package dev.ckpt.suite;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A scenario file as written (Jackson binds YAML to it; unknown keys are errors).
 * Setters check each value that has rules, so a bad one is reported at its line and
 * column; a key whose value is taken as it is binds straight to its field.
 * docs/SUITES.md and ckpt-suite.schema.json describe the same keys.
 */
final class ScenarioSpec {
    String program;
    List<String> args = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    @JsonProperty("input")
    String input;
    String location;
    long cont;
    Double timeout;
    @JsonProperty("build")
    String build;
    @JsonProperty("checkpoint")
    String checkpoint;
    List<CaseSpec> cases;

    @JsonProperty("program")
    void program(String p) {
        program = nonBlank(p, "program: must name a file");
    }

    @JsonProperty("args")
    void args(List<String> a) {
        args = a == null ? new ArrayList<>() : a;
    }

    @JsonProperty("env")
    void env(Map<String, String> e) {
        for (String k : e.keySet()) {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("env: '" + k + "' is not a variable name");
            }
        }
        env = e;
    }

    @JsonProperty("break")
    void location(String l) {
        location = nonBlank(l, "break: must be a gdb location (29, file.c:29, function)");
    }

    @JsonProperty("cont")
    void cont(long c) {
        if (c < 0) {
            throw new IllegalArgumentException("cont: must not be negative");
        }
        cont = c;
    }

    @JsonProperty("timeout")
    void timeout(double t) {
        timeout = positiveSeconds(t);
    }

    @JsonProperty("cases")
    void cases(List<CaseSpec> c) {
        if (c == null || c.isEmpty()) {
            throw new IllegalArgumentException("cases: at least one case is needed");
        }
        cases = c;
    }

    /** V, when it is there and not blank; else the error ERROR. */
    static String nonBlank(String v, String error) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(error);
        }
        return v;
    }

    static double positiveSeconds(double t) {
        if (!(t > 0) || t > 86400) {
            throw new IllegalArgumentException("timeout: " + t + " is not a number of seconds in (0, 86400]");
        }
        return t;
    }

    static void regex(String key, String re) {
        try {
            Pattern.compile(re, Pattern.MULTILINE);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(key + ": not a regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** One entry of {@code cases}. */
    static final class CaseSpec {
        String name;
        @JsonProperty("stdin")
        String stdin;
        @JsonProperty("stdout")
        String stdout;
        @JsonProperty("stdout-file")
        String stdoutFile;
        String stdoutMatches;
        String stderrMatches;
        Expectation exit;
        Double timeout;
        int repeat = 1;

        @JsonProperty("name")
        void name(String n) {
            name = nonBlank(n, "name: must not be empty");
        }

        @JsonProperty("stdout-matches")
        void stdoutMatches(String s) {
            regex("stdout-matches", s);
            stdoutMatches = s;
        }

        @JsonProperty("stderr-matches")
        void stderrMatches(String s) {
            regex("stderr-matches", s);
            stderrMatches = s;
        }

        @JsonProperty("exit")
        void exit(JsonNode n) {
            if (!n.isTextual() && !n.canConvertToInt()) {
                throw new IllegalArgumentException("exit: want an exit status (0..255) or a signal name (SIGSEGV)");
            }
            exit = Expectation.parse(n.asText());
        }

        @JsonProperty("timeout")
        void timeout(double t) {
            timeout = positiveSeconds(t);
        }

        @JsonProperty("repeat")
        void repeat(int r) {
            if (r < 1 || r > 1_000_000) {
                throw new IllegalArgumentException("repeat: " + r + " is not in 1..1000000");
            }
            repeat = r;
        }
    }
}
