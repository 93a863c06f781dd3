package dev.snapflow.functions.shared.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.contracts.storage.Tier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the action catalog YAML (format in functions/shared/README.md) and checks all of it before anything
 * runs: every problem is reported at once, each with its location (e.g. {@code actions.clean.resources.driverCores}).
 * A params schema is inline ({@code paramsSchema}) or a file ({@code paramsSchemaFile}, relative to the
 * catalog file, or {@code classpath:...}).
 */
public final class ActionCatalogLoader {
    public static final String CLASSPATH_PREFIX = "classpath:";
    public static final String DEFAULT_CATALOG = CLASSPATH_PREFIX + "snapflow/action-catalog.yml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ACTION_FIELDS = Set.of("description", "image", "mainClass", "args", "resources",
            "paramsSchema", "paramsSchemaFile", "input", "output", "maxAttempts", "timeout", "jobVersion");
    private static final Set<String> RESOURCE_FIELDS = Set.of("driverCores", "driverMemory", "executorCount",
            "executorCores", "executorMemory");
    private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]*[kmgt]", Pattern.CASE_INSENSITIVE);
    private static final Pattern SHORT_DURATION = Pattern.compile("([1-9][0-9]*)(s|m|h)");

    private ActionCatalogLoader() {
    }

    /** Loads {@code location}: a file path or {@code classpath:resource}. */
    public static ActionCatalog load(String location) {
        if (location.startsWith(CLASSPATH_PREFIX)) {
            String resource = location.substring(CLASSPATH_PREFIX.length());
            try (InputStream in = ActionCatalogLoader.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new InvalidCatalogException(location, List.of("no such resource on the class path"));
                }
                return parse(location, in.readAllBytes(), null);
            } catch (IOException e) {
                throw new InvalidCatalogException(location, List.of("cannot read: " + e.getMessage()));
            }
        }
        Path path = Path.of(location);
        if (!Files.exists(path) && ActionCatalogLoader.class.getClassLoader().getResource(location) != null) {
            // "${SNAPFLOW_ACTION_CATALOG:classpath:x}" in YAML resolves to "x" (Micronaut reads the second colon
            // as another default), so a bare resource name is accepted too.
            return load(CLASSPATH_PREFIX + location);
        }
        try {
            return parse(location, Files.readAllBytes(path), path.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new InvalidCatalogException(location, List.of("cannot read the file: " + e));
        }
    }

    static ActionCatalog parse(String source, byte[] yaml, Path baseDir) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new InvalidCatalogException(source, List.of("not valid YAML: " + e.getMessage().lines().findFirst().orElse("")));
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new InvalidCatalogException(source, List.of("the top level must be a mapping with 'actions' and 'pipelines'"));
        }
        unknownFields(root, Set.of("catalogVersion", "actions", "pipelines"), "", problems);
        if (root.path("catalogVersion").asInt(-1) != 1) {
            problems.add("catalogVersion: must be 1");
        }
        Map<String, ActionDefinition> actions = new LinkedHashMap<>();
        JsonNode actionsNode = root.path("actions");
        if (!actionsNode.isObject() || actionsNode.isEmpty()) {
            problems.add("actions: must be a non-empty mapping of action name to definition");
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = actionsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                ActionDefinition action = action(entry.getKey(), entry.getValue(), baseDir, problems);
                if (action != null) {
                    actions.put(action.name(), action);
                }
            }
        }
        Map<String, PipelineDefinition> pipelines = new LinkedHashMap<>();
        JsonNode pipelinesNode = root.path("pipelines");
        if (!pipelinesNode.isMissingNode() && !pipelinesNode.isObject()) {
            problems.add("pipelines: must be a mapping of pipeline name to definition");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = pipelinesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            PipelineDefinition pipeline = pipeline(entry.getKey(), entry.getValue(), actionsNode, actions, problems);
            if (pipeline != null) {
                pipelines.put(pipeline.name(), pipeline);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidCatalogException(source, problems);
        }
        return new ActionCatalog(actions, pipelines);
    }

    private static ActionDefinition action(String name, JsonNode node, Path baseDir, List<String> problems) {
        String at = "actions." + name;
        int before = problems.size();
        if (!PathSegment.isSafe(name)) {
            problems.add(at + ": the action name must be a safe path segment (letters, digits, '.', '_', '-')");
        }
        if (!node.isObject()) {
            problems.add(at + ": must be a mapping");
            return null;
        }
        unknownFields(node, ACTION_FIELDS, at, problems);
        String image = requiredText(node, "image", at, problems);
        String mainClass = requiredText(node, "mainClass", at, problems);
        if (mainClass != null && !mainClass.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*")) {
            problems.add(at + ".mainClass: '" + mainClass + "' is not a Java class name");
        }
        String jobVersion = requiredText(node, "jobVersion", at, problems);
        List<String> args = new ArrayList<>();
        if (node.has("args")) {
            if (!node.get("args").isArray()) {
                problems.add(at + ".args: must be a list of strings");
            } else {
                node.get("args").forEach(arg -> args.add(arg.asText()));
            }
        }
        Tier input = tier(node, "input", at, problems);
        Tier output = tier(node, "output", at, problems);
        if (output == Tier.RAW) {
            problems.add(at + ".output: an action never writes the raw tier");
        }
        int maxAttempts = node.path("maxAttempts").asInt(3);
        if (node.has("maxAttempts") && (!node.get("maxAttempts").canConvertToInt() || maxAttempts < 1 || maxAttempts > 10)) {
            problems.add(at + ".maxAttempts: must be a whole number from 1 to 10");
        }
        Duration timeout = duration(node.path("timeout").asText("30m"), at + ".timeout", problems);
        ResourceProfile resources = resources(node.path("resources"), at + ".resources", problems);
        JsonNode schema = paramsSchema(node, at, baseDir, problems);
        if (problems.size() > before) {
            return null;
        }
        return new ActionDefinition(name, node.path("description").asText(""), image, mainClass, args, resources, schema,
                input, output, maxAttempts, timeout, jobVersion);
    }

    private static JsonNode paramsSchema(JsonNode node, String at, Path baseDir, List<String> problems) {
        JsonNode schema;
        if (node.has("paramsSchema") == node.has("paramsSchemaFile")) {
            problems.add(at + ": give exactly one of paramsSchema (inline) and paramsSchemaFile");
            return null;
        }
        if (node.has("paramsSchema")) {
            schema = node.get("paramsSchema");
        } else {
            String file = node.get("paramsSchemaFile").asText();
            try {
                byte[] bytes;
                if (file.startsWith(CLASSPATH_PREFIX)) {
                    try (InputStream in = ActionCatalogLoader.class.getClassLoader()
                            .getResourceAsStream(file.substring(CLASSPATH_PREFIX.length()))) {
                        if (in == null) {
                            problems.add(at + ".paramsSchemaFile: no resource " + file);
                            return null;
                        }
                        bytes = in.readAllBytes();
                    }
                } else {
                    Path path = baseDir == null ? Path.of(file) : baseDir.resolve(file);
                    bytes = Files.readAllBytes(path);
                }
                schema = JSON.readTree(bytes);
            } catch (IOException e) {
                problems.add(at + ".paramsSchemaFile: cannot read " + file + ": " + e.getMessage());
                return null;
            }
        }
        if (!schema.isObject()) {
            problems.add(at + ".paramsSchema: must be a JSON Schema object");
            return null;
        }
        if (!"object".equals(schema.path("type").asText())) {
            problems.add(at + ".paramsSchema: must describe an object (type: object); params are always a JSON object");
            return null;
        }
        try {
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        } catch (RuntimeException e) {
            problems.add(at + ".paramsSchema: not a valid JSON Schema: " + e.getMessage());
            return null;
        }
        ObjectNode copy = schema.deepCopy();
        return copy;
    }

    private static ResourceProfile resources(JsonNode node, String at, List<String> problems) {
        if (!node.isObject()) {
            problems.add(at + ": required (driverCores, driverMemory, executorCount, executorCores, executorMemory)");
            return null;
        }
        unknownFields(node, RESOURCE_FIELDS, at, problems);
        int driverCores = positive(node, "driverCores", at, problems, 1);
        int executorCount = positive(node, "executorCount", at, problems, 0);
        int executorCores = positive(node, "executorCores", at, problems, 1);
        String driverMemory = memory(node, "driverMemory", at, problems);
        String executorMemory = memory(node, "executorMemory", at, problems);
        return new ResourceProfile(driverCores, driverMemory, executorCount, executorCores, executorMemory);
    }

    private static int positive(JsonNode node, String field, String at, List<String> problems, int min) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min) {
            problems.add(at + "." + field + ": required, a whole number of at least " + min);
            return min;
        }
        return value.asInt();
    }

    private static String memory(JsonNode node, String field, String at, List<String> problems) {
        String value = node.path(field).asText(null);
        if (value == null || !MEMORY.matcher(value).matches()) {
            problems.add(at + "." + field + ": required, a size like 512m or 2g");
        }
        return value;
    }

    private static PipelineDefinition pipeline(String name, JsonNode node, JsonNode actionsNode,
                                               Map<String, ActionDefinition> actions, List<String> problems) {
        String at = "pipelines." + name;
        int before = problems.size();
        if (!PathSegment.isSafe(name)) {
            problems.add(at + ": the pipeline name must be a safe path segment");
        }
        if (actionsNode.has(name)) {
            problems.add(at + ": an action has the same name; a request could not tell them apart");
        }
        unknownFields(node, Set.of("description", "actions"), at, problems);
        JsonNode list = node.path("actions");
        if (!list.isArray() || list.isEmpty()) {
            problems.add(at + ".actions: must be a non-empty list of action names");
            return null;
        }
        List<String> names = new ArrayList<>();
        ActionDefinition previous = null;
        for (int i = 0; i < list.size(); i++) {
            String actionName = list.get(i).asText();
            ActionDefinition action = actions.get(actionName);
            if (action == null) {
                if (!actionsNode.has(actionName)) {
                    problems.add(at + ".actions[" + i + "]: unknown action '" + actionName + "'; known actions: "
                            + String.join(", ", actions.keySet()));
                }
            } else if (previous != null && previous.outputTier() != action.inputTier()) {
                problems.add(at + ".actions[" + i + "]: " + actionName + " reads " + action.inputTier().pathSegment()
                        + " but the previous step " + previous.name() + " writes " + previous.outputTier().pathSegment());
            }
            previous = action;
            names.add(actionName);
        }
        return problems.size() > before ? null : new PipelineDefinition(name, node.path("description").asText(""), names);
    }

    private static Tier tier(JsonNode node, String field, String at, List<String> problems) {
        String value = node.path(field).asText(null);
        if (value == null) {
            problems.add(at + "." + field + ": required (raw, bronze, silver, gold)");
            return null;
        }
        try {
            return Tier.fromPathSegment(value);
        } catch (IllegalArgumentException e) {
            problems.add(at + "." + field + ": " + e.getMessage());
            return null;
        }
    }

    private static Duration duration(String text, String at, List<String> problems) {
        Matcher m = SHORT_DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            Duration d = Duration.parse(text);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        problems.add(at + ": '" + text + "' is not a duration like 90s, 30m, 2h or PT30M");
        return null;
    }

    private static String requiredText(JsonNode node, String field, String at, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            problems.add(at + "." + field + ": required, a non-empty string");
            return null;
        }
        return value.asText();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String at, List<String> problems) {
        node.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field)) {
                problems.add((at.isEmpty() ? "" : at + ".") + field + ": unknown field; known fields: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
        });
    }
}
