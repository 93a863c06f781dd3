package dev.snapflow.contracts.storage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.snapflow.contracts.schema.InvalidDocumentException;
import dev.snapflow.contracts.schema.SchemaValidator;
import dev.snapflow.contracts.schema.Violation;

import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * Reads and writes the JSON documents of the storage contract (manifests, the latest pointer), checking each
 * against its schema both ways: a writer cannot commit a document its readers would reject.
 */
final class ContractDocuments {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            // Stored documents outlive the code that wrote them: readers ignore fields added later.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    private static final SchemaValidator SCHEMAS = new SchemaValidator();

    private ContractDocuments() {
    }

    static URI schemaUri(String name) {
        return URI.create(SchemaValidator.SCHEMA_BASE_URI + name + ".json");
    }

    static byte[] write(Object document, URI schema, String what) {
        JsonNode tree = MAPPER.valueToTree(document);
        List<Violation> violations = SCHEMAS.validate(schema, tree);
        if (!violations.isEmpty()) {
            throw new InvalidDocumentException(what, violations, null);
        }
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + what, e);
        }
    }

    static JsonNode parse(byte[] json, String what) {
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (tree == null || !tree.isObject()) {
                throw new InvalidDocumentException(what, List.of(new Violation("", "must be a JSON object")), null);
            }
            return tree;
        } catch (IOException e) {
            throw new InvalidDocumentException(what, List.of(new Violation("", "not JSON: " + firstLine(e.getMessage()))), e);
        }
    }

    static <T> T read(JsonNode tree, Class<T> type, URI schema, String what) {
        List<Violation> violations = SCHEMAS.validate(schema, tree);
        if (!violations.isEmpty()) {
            throw new InvalidDocumentException(what, violations, null);
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            throw new InvalidDocumentException(what, List.of(new Violation("", firstLine(e.getCause() != null
                    ? e.getCause().getMessage() : e.getOriginalMessage()))), e);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidDocumentException(what, List.of(new Violation("", firstLine(e.getMessage()))), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
