package dev.ckpt.suite;

import dev.ckpt.testing.Build;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/ckpt-suite.schema.json accepts every scenario file the project ships, and catches what the loader catches. */
class SchemaTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    private static JsonSchema schema() throws Exception {
        JsonNode node = new ObjectMapper().readTree(Build.basedir().resolve("docs/ckpt-suite.schema.json").toFile());
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node);
    }

    private static List<Path> files(String dir) throws Exception {
        try (Stream<Path> s = Files.list(Build.basedir().resolve(dir))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void theExampleAndTestScenariosAreValid() throws Exception {
        JsonSchema schema = schema();
        List<Path> all = new java.util.ArrayList<>(files("examples/suites"));
        all.addAll(files("src/test/resources/suites-failing"));
        assertThat(files("examples/suites")).hasSizeGreaterThanOrEqualTo(10);
        for (Path f : all) {
            Set<ValidationMessage> problems = schema.validate(YAML.readTree(f.toFile()));
            assertThat(problems).as(f.toString()).isEmpty();
        }
    }

    @Test
    void wrongFilesAreRejected() throws Exception {
        JsonSchema schema = schema();
        String ok = "program: x\n";
        for (String bad : List.of("cases: [{}]\n", ok + "cases: []\n", ok + "frobs: 1\ncases: [{}]\n",
                ok + "cases: [{stdot: x}]\n", ok + "cases: [{exit: 300}]\n", ok + "cases: [{repeat: 0}]\n",
                ok + "cont: -1\ncases: [{}]\n", ok + "cases: [{stdout: a, stdout-file: b}]\n",
                ok + "env: {1X: a}\ncases: [{}]\n", ok + "timeout: 0\ncases: [{}]\n")) {
            assertThat(schema.validate(YAML.readTree(bad))).as(bad).isNotEmpty();
        }
        assertThat(schema.validate(YAML.readTree(ok + "cases: [{exit: SIGSEGV}, {exit: 3}]\n"))).isEmpty();
    }
}
