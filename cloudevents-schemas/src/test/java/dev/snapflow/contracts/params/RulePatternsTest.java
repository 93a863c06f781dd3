package dev.snapflow.contracts.params;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RulePatternsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode params(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void patternsTheLinearTimeEngineCompilesAreAccepted() throws Exception {
        assertThat(RulePatterns.problems(params("""
                {"rules": [{"rule": "regex", "column": "email", "pattern": "^[^@\\\\s]+@[^@\\\\s]+$"},
                           {"rule": "regex", "column": "code", "pattern": "(a+)+$"},
                           {"rule": "not_null", "column": "id"}]}"""))).isEmpty();
    }

    @Test
    void aBackreferenceIsRefusedNamingTheField() throws Exception {
        var problems = RulePatterns.problems(params("""
                {"rules": [{"rule": "not_null", "column": "id"},
                           {"rule": "in_set", "column": "c", "values": ["(a)\\\\1"]},
                           {"rule": "regex", "column": "code", "pattern": "(a)\\\\1"}]}"""));
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("rules[2].pattern");
            assertThat(p.reason()).contains("RE2").contains("backreferences");
        });
    }

    @Test
    void lookaroundIsRefused() throws Exception {
        assertThat(RulePatterns.problems(params("""
                {"rules": [{"rule": "regex", "column": "a", "pattern": "foo(?=bar)"},
                           {"rule": "regex", "column": "b", "pattern": "(?<!x)y"}]}""")))
                .extracting(RulePatterns.Problem::field).containsExactly("rules[0].pattern", "rules[1].pattern");
    }

    @Test
    void aCatastrophicPatternMatchesLongValuesQuickly() {
        // Runs in linear time; with java.util.regex this find() takes exponential time in the value's length.
        String value = "a".repeat(100_000) + "!";
        assertThat(RulePatterns.compile("(a+)+$").matcher(value).find()).isFalse();
        assertThat(RulePatterns.compile("(a|aa)+$").matcher("a".repeat(100_000)).find()).isTrue();
    }
}
