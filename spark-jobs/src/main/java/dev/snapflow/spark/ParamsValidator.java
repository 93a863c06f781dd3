package dev.snapflow.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.params.RulePatterns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks an action's params against its JSON Schema ({@code params/<action>.schema.json} in this jar, draft
 * 2020-12) before Spark starts; the control plane's action catalog validates against the same files. A regex
 * rule's pattern must also compile in RE2/J, the linear-time engine the clean action runs it in ({@link RulePatterns}).
 */
public final class ParamsValidator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, JsonSchema> schemas = new HashMap<>();

    public ParamsValidator(Set<String> actions) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        for (String action : actions) {
            try (InputStream in = ParamsValidator.class.getResourceAsStream(schemaResource(action))) {
                if (in == null) {
                    throw new IllegalStateException("no params schema for action " + action + " at " + schemaResource(action));
                }
                schemas.put(action, factory.getSchema(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The class-path resource that holds an action's params schema. */
    public static String schemaResource(String action) {
        return "/params/" + action + ".schema.json";
    }

    /**
     * @return the params as a JSON tree
     * @throws JobFailure {@link ErrorClass#INVALID_PARAMS} naming every problem (JSON path and rule)
     */
    public JsonNode validate(String action, String paramsJson) {
        JsonSchema schema = schemas.get(action);
        if (schema == null) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "unknown action '" + action + "'; known: "
                    + String.join(", ", schemas.keySet().stream().sorted().toList()));
        }
        JsonNode params;
        try {
            params = JSON.readTree(paramsJson);
        } catch (JsonProcessingException e) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "params are not valid JSON: " + e.getOriginalMessage());
        }
        if (params == null || params.isMissingNode()) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "params are empty; pass {} for no params");
        }
        Set<ValidationMessage> problems = schema.validate(params);
        if (!problems.isEmpty()) {
            String reasons = problems.stream()
                    .sorted(Comparator.comparing(ValidationMessage::getMessage))
                    .map(ValidationMessage::getMessage)
                    .collect(Collectors.joining("; "));
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "invalid params for " + action + ": " + reasons);
        }
        List<RulePatterns.Problem> patterns = RulePatterns.problems(params);
        if (!patterns.isEmpty()) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "invalid params for " + action + ": " + patterns.stream()
                    .map(p -> p.field() + " " + p.reason()).collect(Collectors.joining("; ")));
        }
        return params;
    }
}
