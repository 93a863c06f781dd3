package dev.snapflow.functions.validate.api;

import dev.snapflow.functions.validate.accept.RequestRejected;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogRequestTest {

    @Test
    void defaultsReadTheStartOfTheLogUpToTheLimit() {
        assertThat(LogRequest.parse("2", "3", null, null)).isEqualTo(new LogRequest(2, 3, 0, LogRequest.MAX_LIMIT));
        assertThat(LogRequest.parse("1", "1", "4096", "100")).isEqualTo(new LogRequest(1, 1, 4096, 100));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "step, 0", "step, 1000", "step, x", "step, -1",
            "attempt, 0", "attempt, 1.5",
            "offset, -1", "offset, abc", "offset, 99999999999999999999",
            "limit, 0", "limit, 1048577", "limit, ten"})
    void aWrongValueIsA400NamingItsField(String field, String value) {
        String step = field.equals("step") ? value : "1";
        String attempt = field.equals("attempt") ? value : "1";
        String offset = field.equals("offset") ? value : null;
        String limit = field.equals("limit") ? value : null;
        assertThatThrownBy(() -> LogRequest.parse(step, attempt, offset, limit))
                .isInstanceOfSatisfying(RequestRejected.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.problems()).extracting(RequestRejected.FieldProblem::field).containsExactly(field);
                }).hasMessageContaining(value);
    }
}
