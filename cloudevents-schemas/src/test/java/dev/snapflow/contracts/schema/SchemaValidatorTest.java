package dev.snapflow.contracts.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import dev.snapflow.contracts.events.EventTypes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaValidatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyEventTypeHasASchemaWhoseIdIsItsDataschema() throws IOException {
        for (String type : EventTypes.all()) {
            JsonNode schema = schemaFile(type + ".json");
            assertThat(schema.path("$id").asText()).as(type).isEqualTo(EventTypes.schemaUri(type).toString());
            assertThat(schema.path("title").asText()).as(type).isEqualTo(type);
        }
    }

    @Test
    void everySchemaIsAValidDraft202012SchemaNamedByItsFile() throws IOException {
        var metaSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        for (String file : schemaFiles()) {
            JsonNode schema = schemaFile(file);
            assertThat(schema.path("$id").asText()).as(file).isEqualTo(SchemaValidator.SCHEMA_BASE_URI + file);
            assertThat(metaSchema.validate(schema)).as(file).isEmpty();
        }
    }

    @Test
    void documentOfTheWrongShapeGetsOneViolationPerField() throws IOException {
        List<Violation> violations = new SchemaValidator().validate(EventTypes.schemaUri(EventTypes.PROCESS_REQUESTED),
                JSON.readTree("{\"tenant\":\"acme\",\"entity\":\"a/b\",\"dataVersion\":1,\"action\":\"clean\",\"extra\":true}"));

        assertThat(violations).extracting(Violation::field).containsExactly("dataVersion", "entity", "extra");
    }

    @Test
    void schemaThatIsNotOneOfOursIsRefused() {
        assertThatThrownBy(() -> new SchemaValidator().validate(URI.create("https://example.org/x.json"), JSON.createObjectNode()))
                .hasMessageContaining("not a Snapflow contract schema");
        assertThatThrownBy(() -> new SchemaValidator().validate(
                URI.create(SchemaValidator.SCHEMA_BASE_URI + "dev.snapflow.nothing.v1.json"), JSON.createObjectNode()))
                .hasMessageContaining("no contract schema");
    }

    private static List<String> schemaFiles() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir"), "src/main/resources/schemas");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            files.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
            assertThat(names).hasSizeGreaterThan(EventTypes.all().size());
            return names;
        }
    }

    private static JsonNode schemaFile(String name) throws IOException {
        try (InputStream in = SchemaValidator.class.getResourceAsStream("/schemas/" + name)) {
            assertThat(in).as(name).isNotNull();
            return JSON.readTree(in);
        }
    }
}
