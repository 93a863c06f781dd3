package dev.snapflow.contracts.params;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Tenants' regular expressions ({@code {"rule": "regex", "pattern": ...}} in a step's params) run in RE2/J, a
 * linear-time engine: a pattern like {@code (a+)+$} cannot hold a job for minutes the way a backtracking engine
 * (java.util.regex, Spark's {@code rlike}) does. The price is RE2's syntax: no backreferences, no lookaround. A
 * pattern RE2/J cannot compile is refused at submission (the control plane's params check) and again by the job
 * before Spark starts, with the field named, e.g. {@code rules[2].pattern}.
 */
public final class RulePatterns {
    public static final String RULE_KIND = "regex";

    private RulePatterns() {
    }

    /** One refused pattern: where it is in the params (e.g. {@code rules[2].pattern}) and why. */
    public record Problem(String field, String reason) {
    }

    /** Compiles a rule pattern with RE2/J. */
    public static Pattern compile(String pattern) {
        return Pattern.compile(pattern);
    }

    /**
     * Every regex rule's pattern in {@code params} (at any depth) that RE2/J cannot compile, in document order.
     * Field paths are relative to the params object ({@code rules[2].pattern}).
     */
    public static List<Problem> problems(JsonNode params) {
        List<Problem> problems = new ArrayList<>();
        walk(params, "", problems);
        return problems;
    }

    private static void walk(JsonNode node, String path, List<Problem> problems) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", problems);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        if (RULE_KIND.equals(node.path("rule").asText(null)) && node.path("pattern").isTextual()) {
            String field = (path.isEmpty() ? "" : path + ".") + "pattern";
            reason(node.get("pattern").asText()).ifPresent(reason -> problems.add(new Problem(field, reason)));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            walk(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), problems);
        }
    }

    /** Why RE2/J refuses {@code pattern}, or empty when it compiles. */
    public static java.util.Optional<String> reason(String pattern) {
        try {
            Pattern.compile(pattern);
            return java.util.Optional.empty();
        } catch (PatternSyntaxException e) {
            return java.util.Optional.of("is not a pattern the linear-time engine (RE2 syntax) accepts: "
                    + e.getDescription() + (e.getPattern() == null || e.getPattern().isEmpty() ? ""
                    : " at '" + e.getPattern() + "'") + " (backreferences and lookaround are not supported)");
        }
    }
}
