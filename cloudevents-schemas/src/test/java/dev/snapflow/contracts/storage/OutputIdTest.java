package dev.snapflow.contracts.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputIdTest {
    private static final String INPUT = "acme/orders/2026-11-20/raw/_manifest.json";

    @Test
    void isTheActionAndSixteenHexCharacters() {
        assertThat(OutputId.derive("clean", "{}", "0.1.0", INPUT)).matches("clean-[0-9a-f]{16}");
    }

    @Test
    void isStableUnderKeyOrderAndWhiteSpace() {
        String a = OutputId.derive("clean", "{\"b\":{\"y\":1,\"x\":2},\"a\":[1,2]}", "0.1.0", INPUT);
        String b = OutputId.derive("clean", "{ \"a\": [1, 2], \"b\": { \"x\": 2, \"y\": 1 } }", "0.1.0", INPUT);

        assertThat(a).isEqualTo(b);
    }

    @Test
    void missingParamsAreTheEmptyObject() {
        assertThat(OutputId.derive("clean", null, "0.1.0", INPUT)).isEqualTo(OutputId.derive("clean", "{}", "0.1.0", INPUT));
    }

    @Test
    void differsForDifferentParams() {
        assertThat(OutputId.derive("clean", "{\"a\":1}", "0.1.0", INPUT))
                .isNotEqualTo(OutputId.derive("clean", "{\"a\":2}", "0.1.0", INPUT));
    }

    @Test
    void nestedNullIsNotTheEmptyObject() {
        assertThat(OutputId.derive("clean", "{\"a\":null}", "0.1.0", INPUT))
                .isNotEqualTo(OutputId.derive("clean", "{\"a\":{}}", "0.1.0", INPUT));
        assertThat(CanonicalJson.canonicalize("{\"b\":[null],\"a\":null}")).isEqualTo("{\"a\":null,\"b\":[null]}");
    }

    @Test
    void arrayOrderIsSignificant() {
        assertThat(OutputId.derive("clean", "{\"a\":[1,2]}", "0.1.0", INPUT))
                .isNotEqualTo(OutputId.derive("clean", "{\"a\":[2,1]}", "0.1.0", INPUT));
    }

    @Test
    void differsForDifferentInputs() {
        assertThat(OutputId.derive("clean", "{}", "0.1.0", INPUT))
                .isNotEqualTo(OutputId.derive("clean", "{}", "0.1.0", "acme/orders/2026-11-21/raw/_manifest.json"));
    }

    @Test
    void differsForDifferentJobVersionsAndActions() {
        String base = OutputId.derive("clean", "{}", "0.1.0", INPUT);

        assertThat(OutputId.derive("clean", "{}", "0.2.0", INPUT)).isNotEqualTo(base);
        assertThat(OutputId.derive("ingest", "{}", "0.1.0", INPUT)).startsWith("ingest-");
    }

    @Test
    void paramsThatAreNotJsonAreRejected() {
        assertThatThrownBy(() -> OutputId.derive("clean", "{a:", "0.1.0", INPUT))
                .hasMessageStartingWith("params are not valid JSON");
    }

    @Test
    void canonicalJsonOfAMapMatchesThatOfItsText() {
        assertThat(CanonicalJson.canonicalize(java.util.Map.of("b", 1, "a", java.util.List.of(true))))
                .isEqualTo(CanonicalJson.canonicalize("{\"a\":[true],\"b\":1}"))
                .isEqualTo("{\"a\":[true],\"b\":1}");
    }
}
