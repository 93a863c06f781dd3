package dev.snapflow.contracts.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PathSegmentTest {

    @ParameterizedTest
    @ValueSource(strings = {"acme", "orders_2026", "2026-11-20", "v1.2", "A", "clean-0123456789abcdef"})
    void ordinaryNamesAreAccepted(String value) {
        assertThat(PathSegment.requireSafe("entity", value)).isEqualTo(value);
        assertThat(PathSegment.isSafe(value)).isTrue();
    }

    @Test
    void slashIsRejected() {
        assertThatThrownBy(() -> PathSegment.requireSafe("entity", "orders/2026"))
                .isInstanceOf(InvalidPathSegmentException.class).hasMessage("entity must not contain '/' or '\\'");
    }

    @Test
    void backslashIsRejected() {
        assertThatThrownBy(() -> PathSegment.requireSafe("entity", "orders\\2026"))
                .hasMessage("entity must not contain '/' or '\\'");
    }

    @Test
    void dotDotIsRejected() {
        assertThatThrownBy(() -> PathSegment.requireSafe("dataVersion", ".."))
                .hasMessageContaining("dataVersion must not contain '..'");
        assertThatThrownBy(() -> PathSegment.requireSafe("dataVersion", "v1..2"))
                .hasMessageContaining("dataVersion must not contain '..'");
    }

    @Test
    void controlCharactersAreRejected() {
        assertThatThrownBy(() -> PathSegment.requireSafe("tenant", "acme\n"))
                .hasMessage("tenant must not contain control characters");
        assertThatThrownBy(() -> PathSegment.requireSafe("tenant", "ac\u0000me"))
                .hasMessage("tenant must not contain control characters");
    }

    @Test
    void overLongValueIsRejected() {
        String longest = "a".repeat(PathSegment.MAX_LENGTH);
        assertThat(PathSegment.isSafe(longest)).isTrue();
        assertThatThrownBy(() -> PathSegment.requireSafe("entity", longest + "a"))
                .hasMessage("entity must be at most 63 characters, was 64");
    }

    @Test
    void emptyValueIsRejected() {
        assertThatThrownBy(() -> PathSegment.requireSafe("tenant", "")).hasMessage("tenant must not be empty");
    }

    @Test
    void missingValueIsRejected() {
        assertThatThrownBy(() -> PathSegment.requireSafe("tenant", null)).hasMessage("tenant must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {".hidden", "-flag", "_x", "a b", "naïve", "a:b", "a*b", "%2e%2e"})
    void valuesOutsideTheWhitelistAreRejected(String value) {
        InvalidPathSegmentException e = catchThrowableOfType(InvalidPathSegmentException.class,
                () -> PathSegment.requireSafe("entity", value));

        assertThat(e.field()).isEqualTo("entity");
        assertThat(e).hasMessageStartingWith("entity must");
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders_", "orders-", "orders.", "a_", "0-"})
    void aValueEndingInPunctuationIsRejectedBecauseItIsNoKubernetesLabelValue(String value) {
        assertThatThrownBy(() -> PathSegment.requireSafe("entity", value))
                .isInstanceOf(InvalidPathSegmentException.class)
                .hasMessage("entity must start and end with a letter or digit and contain only letters, digits, "
                        + "'.', '_' and '-'");
    }
}
