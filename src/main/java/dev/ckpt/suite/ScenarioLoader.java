package dev.ckpt.suite;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads scenario files (YAML). Every problem becomes one line naming
 * {@code FILE:LINE:COLUMN} and what is wrong.
 */
public final class ScenarioLoader {
    /** Default time a case may run, and the default when a scenario gives none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder().build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ScenarioLoader() {}

    /** The scenario files named: files as given, directories searched for *.yaml and *.yml, sorted. */
    public static List<Path> find(List<Path> roots) throws SuiteInputException {
        List<Path> out = new ArrayList<>();
        for (Path r : roots) {
            if (Files.isDirectory(r)) {
                try (Stream<Path> s = Files.walk(r)) {
                    out.addAll(s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().matches(".*\\.ya?ml"))
                            .sorted().collect(Collectors.toList()));
                } catch (IOException e) {
                    throw new SuiteInputException(r + ": cannot read the directory: " + e.getMessage());
                }
            } else if (Files.isRegularFile(r)) {
                out.add(r);
            } else {
                throw new SuiteInputException(r + ": no such file or directory");
            }
        }
        Set<Path> seen = new HashSet<>();
        List<Path> unique = new ArrayList<>();
        for (Path p : out) {
            if (seen.add(p.toAbsolutePath().normalize())) {
                unique.add(p.toAbsolutePath().normalize());
            }
        }
        return unique;
    }

    public static Scenario load(Path file) throws SuiteInputException {
        String where = file.toString();
        ScenarioSpec spec;
        String text = null;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            spec = text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#") || l.strip().equals("---"))
                    ? null : YAML.readValue(text, ScenarioSpec.class);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            if (e instanceof UnrecognizedPropertyException u && l != null && l.getLineNr() >= 1) {
                // Jackson stands after the key: point at the key itself
                String line = text.lines().skip(l.getLineNr() - 1).findFirst().orElse("");
                int col = line.indexOf(u.getPropertyName());
                if (col >= 0) {
                    throw new SuiteInputException(where + ":" + l.getLineNr() + ":" + (col + 1) + ": " + describe(e));
                }
            }
            throw new SuiteInputException(where + at(l) + ": " + describe(e));
        } catch (IOException e) {
            throw new SuiteInputException(where + ": cannot read it: " + e.getMessage());
        }
        if (spec == null) {
            throw new SuiteInputException(where + ":1:1: empty file (want program: and cases:)");
        }
        if (spec.program == null) {
            throw new SuiteInputException(where + ":1:1: program: missing");
        }
        if (spec.cases == null) {
            throw new SuiteInputException(where + ":1:1: cases: missing (at least one case is needed)");
        }
        Path dir = file.toAbsolutePath().getParent();
        Path program = dir.resolve(spec.program).normalize();
        if (spec.build == null && !Files.isExecutable(program)) {
            throw new SuiteInputException(where + ":1:1: program: " + program + " is not an executable file");
        }
        Path checkpoint = spec.checkpoint == null ? null : dir.resolve(spec.checkpoint).normalize();
        if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
            throw new SuiteInputException(where + ":1:1: checkpoint: " + checkpoint + ": no such file");
        }
        Duration timeout = spec.timeout == null ? DEFAULT_TIMEOUT : seconds(spec.timeout);
        List<Scenario.Case> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.cases.size(); i++) {
            ScenarioSpec.CaseSpec c = spec.cases.get(i);
            String name = c.name != null ? c.name : "case " + (i + 1);
            String caseAt = where + ": case '" + name + "'";
            if (!names.add(name)) {
                throw new SuiteInputException(caseAt + ": a second case of this name");
            }
            if (c.stdout != null && c.stdoutFile != null) {
                throw new SuiteInputException(caseAt + ": stdout and stdout-file: give one of them");
            }
            String stdout = c.stdout;
            if (c.stdoutFile != null) {
                Path f = dir.resolve(c.stdoutFile).normalize();
                try {
                    stdout = Files.readString(f, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new SuiteInputException(caseAt + ": stdout-file: " + f + ": cannot read it");
                }
            }
            cases.add(new Scenario.Case(name, c.stdin, stdout, c.stdoutMatches, c.stderrMatches,
                    c.exit != null ? c.exit : Expectation.SUCCESS, c.timeout == null ? null : seconds(c.timeout),
                    c.repeat));
        }
        return new Scenario(file.toAbsolutePath().normalize(), program, spec.args, spec.env, spec.input,
                spec.location != null ? spec.location : "main", spec.cont, timeout, spec.build, checkpoint, cases);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static String at(JsonLocation l) {
        if (l == null || l.getLineNr() < 1) {
            return ":1:1";
        }
        return ":" + l.getLineNr() + ":" + Math.max(1, l.getColumnNr());
    }

    /** Jackson's message without its class names and source excerpts: what a user can act on. */
    private static String describe(JsonProcessingException e) {
        String path = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    b.append('[').append(r.getIndex()).append(']');
                }
            }
            path = b.toString();
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : " (known keys: " + u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")";
            return "unknown key '" + u.getPropertyName() + "'" + known;
        }
        Throwable cause = e.getCause();
        while (cause != null && cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        if (cause instanceof IllegalArgumentException) {
            return cause.getMessage();
        }
        String msg = e.getOriginalMessage();
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl);
        }
        msg = msg.replaceAll("`[a-zA-Z.$]*ScenarioSpec(\\$CaseSpec)?`", "the scenario")
                .replaceAll("`java\\.lang\\.String`", "text").replaceAll("`java\\.util\\.[A-Za-z]+(<[^>]*>)?`", "a list or map")
                .replaceAll("\\(class [^)]*\\)", "").replaceAll("\\s+", " ").trim();
        return (path.isEmpty() ? "" : path + ": ") + msg;
    }
}
