package dev.snapflow.functions.shared.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.snapflow.contracts.params.RulePatterns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The actions and pipelines a tenant may request. Built only by {@link ActionCatalogLoader}, which has
 * checked every entry, so a catalog in hand is consistent (known actions, chained tiers, compiled schemas).
 */
public final class ActionCatalog {
    private final Map<String, ActionDefinition> actions;
    private final Map<String, PipelineDefinition> pipelines;
    private final Map<String, JsonSchema> paramsSchemas = new LinkedHashMap<>();

    ActionCatalog(Map<String, ActionDefinition> actions, Map<String, PipelineDefinition> pipelines) {
        this.actions = Map.copyOf(actions);
        this.pipelines = Map.copyOf(pipelines);
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        actions.forEach((name, action) -> paramsSchemas.put(name, factory.getSchema(action.paramsSchema())));
    }

    public Optional<ActionDefinition> action(String name) {
        return Optional.ofNullable(actions.get(name));
    }

    public Optional<PipelineDefinition> pipeline(String name) {
        return Optional.ofNullable(pipelines.get(name));
    }

    public Set<String> actionNames() {
        return new TreeSet<>(actions.keySet());
    }

    public Set<String> pipelineNames() {
        return new TreeSet<>(pipelines.keySet());
    }

    /**
     * The steps of a request: an action is a one-step pipeline.
     *
     * @throws IllegalArgumentException naming the known actions and pipelines when {@code name} is neither
     */
    public List<ActionDefinition> stepsOf(String name) {
        ActionDefinition action = actions.get(name);
        if (action != null) {
            return List.of(action);
        }
        PipelineDefinition pipeline = pipelines.get(name);
        if (pipeline != null) {
            return pipeline.actions().stream().map(actions::get).toList();
        }
        throw new IllegalArgumentException("unknown action or pipeline '" + name + "'; known actions: "
                + String.join(", ", actionNames()) + "; known pipelines: " + String.join(", ", pipelineNames()));
    }

    /**
     * Violations of the action's params schema, then of the checks beyond it ({@link RulePatterns}: every regex
     * rule's pattern compiles in RE2/J); empty when the params are valid.
     */
    public List<ParamsViolation> validateParams(String actionName, JsonNode params) {
        JsonSchema schema = paramsSchemas.get(actionName);
        if (schema == null) {
            throw new IllegalArgumentException("unknown action " + actionName);
        }
        Set<ValidationMessage> messages = schema.validate(params);
        List<ParamsViolation> violations = new ArrayList<>();
        for (ValidationMessage message : messages) {
            String location = message.getInstanceLocation() == null ? "" : message.getInstanceLocation().toString();
            String field = "params" + location.replaceFirst("^\\$", "");
            if (message.getProperty() != null && !field.endsWith("." + message.getProperty())
                    && ("required".equals(message.getType()) || "additionalProperties".equals(message.getType()))) {
                field = field + "." + message.getProperty();
            }
            violations.add(new ParamsViolation(field, message.getMessage()));
        }
        if (violations.isEmpty()) {
            // Checks no JSON Schema keyword expresses: a regex rule's pattern must compile in the linear-time engine
            // the job runs it in (the job checks again before Spark starts).
            for (RulePatterns.Problem problem : RulePatterns.problems(params)) {
                violations.add(new ParamsViolation("params." + problem.field(), problem.reason()));
            }
        }
        violations.sort(Comparator.comparing(ParamsViolation::field).thenComparing(ParamsViolation::message));
        return violations;
    }
}
