package dev.snapflow.contracts.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates JSON documents against the contract schemas (JSON Schema draft 2020-12) shipped in this jar under
 * {@code schemas/}. A schema is named by its {@code $id}, e.g. {@code https://snapflow.dev/schemas/
 * dev.snapflow.process.requested.v1.json}; those URIs resolve to the jar, never to the network.
 * Thread-safe: compiled schemas are cached.
 */
public final class SchemaValidator {
    public static final String SCHEMA_BASE_URI = "https://snapflow.dev/schemas/";
    private static final String CLASSPATH_BASE = "classpath:schemas/";
    private static final String ERROR_MESSAGE_KEYWORD = "errorMessage";

    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE_URI, CLASSPATH_BASE)));
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_PATH)
            .formatAssertionsEnabled(true)
            // Lets a schema replace the library's wording where it would be cryptic (a regex, a oneOf).
            .errorMessageKeyword(ERROR_MESSAGE_KEYWORD)
            .build();
    private final Map<URI, JsonSchema> schemas = new ConcurrentHashMap<>();

    /**
     * @param schemaId a contract schema's {@code $id}
     * @return every violation, ordered by field; empty when the document is valid
     * @throws IllegalArgumentException when no such schema ships in this jar
     */
    public List<Violation> validate(URI schemaId, JsonNode document) {
        List<Violation> violations = new ArrayList<>();
        for (ValidationMessage message : schema(schemaId).validate(document)) {
            violations.add(toViolation(message));
        }
        violations.sort(Comparator.comparing(Violation::field).thenComparing(Violation::message));
        return List.copyOf(violations);
    }

    private JsonSchema schema(URI schemaId) {
        if (!schemaId.toString().startsWith(SCHEMA_BASE_URI)) {
            throw new IllegalArgumentException("not a Snapflow contract schema: " + schemaId);
        }
        return schemas.computeIfAbsent(schemaId, id -> {
            try {
                JsonSchema schema = factory.getSchema(SchemaLocation.of(id.toString()), config);
                schema.initializeValidators();
                return schema;
            } catch (JsonSchemaException | IllegalArgumentException e) {
                throw new IllegalArgumentException("no contract schema " + id + " in this jar: " + e.getMessage(), e);
            }
        });
    }

    /**
     * Names the field the way a caller wrote it: for a missing or unexpected property the property itself
     * ({@code tenant}), else the location of the bad value ({@code steps[0].action}).
     */
    private static Violation toViolation(ValidationMessage message) {
        String location = fieldPath(message.getInstanceLocation().toString());
        String property = message.getProperty();
        boolean namesChild = property != null
                && ("required".equals(message.getType()) || "additionalProperties".equals(message.getType())
                || "dependentRequired".equals(message.getType()));
        String field = namesChild ? (location.isEmpty() ? property : location + "." + property) : location;
        return new Violation(field, describe(message, field));
    }

    private static String describe(ValidationMessage message, String field) {
        String text = message.getMessage();
        // The library prefixes its messages with the instance location ("$.tenant: ..."); the field says that.
        String prefix = message.getInstanceLocation().toString() + ": ";
        if (text.startsWith(prefix)) {
            text = text.substring(prefix.length());
        }
        if ("additionalProperties".equals(message.getType())) {
            return "unknown field (the schema does not allow it; check the spelling)";
        }
        if ("required".equals(message.getType()) || "dependentRequired".equals(message.getType())) {
            return "is required";
        }
        return text;
    }

    private static String fieldPath(String jsonPath) {
        if (jsonPath.equals("$")) {
            return "";
        }
        return jsonPath.startsWith("$.") ? jsonPath.substring(2) : jsonPath.substring(1);
    }
}
