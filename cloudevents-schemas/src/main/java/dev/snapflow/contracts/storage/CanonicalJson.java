package dev.snapflow.contracts.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One text per JSON value: object keys sorted, no insignificant white space. Two requests whose params
 * differ only in key order or spacing must derive the same output id.
 */
public final class CanonicalJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    public static String canonicalize(String json) {
        try {
            return canonicalize(MAPPER.readTree(json == null || json.isBlank() ? "{}" : json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("params are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The canonical text of params held as a map (as the event records hold them). */
    public static String canonicalize(Map<String, ?> object) {
        JsonNode tree = MAPPER.valueToTree(object == null ? Map.of() : object);
        return canonicalize(tree);
    }

    /** A missing or null document counts as the empty object; a null inside it stays null. */
    public static String canonicalize(JsonNode node) {
        JsonNode document = node == null || node.isNull() || node.isMissingNode()
                ? JsonNodeFactory.instance.objectNode() : node;
        try {
            return MAPPER.writeValueAsString(sorted(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
            fields.sort(Map.Entry.comparingByKey());
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : fields) {
                out.set(field.getKey(), sorted(field.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> out.add(sorted(element)));
            return out;
        }
        return node;
    }
}
