package dev.snapflow.functions.validate.accept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class IntakeLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProcessRequest request(JsonNode params, String webhookUrl) {
        return new ProcessRequest("orders", "2026-11-01", "ingest", null, params, webhookUrl);
    }

    private static RequestRejected refused(ProcessRequest request, String idempotencyKey) {
        return catchThrowableOfType(RequestRejected.class, () -> IntakeLimits.check(request, idempotencyKey));
    }

    @Test
    void paramsTooLargeForTheEventsAreRefusedWith413NamingParams() {
        ObjectNode params = JSON.createObjectNode().put("blob", "x".repeat(IntakeLimits.MAX_PARAMS_BYTES));
        RequestRejected rejected = refused(request(params, null), null);
        assertThat(rejected.status()).isEqualTo(413);
        assertThat(rejected.problems()).extracting(RequestRejected.FieldProblem::field).containsExactly("params");
    }

    @Test
    void paramsWithinTheLimitPass() {
        ObjectNode params = JSON.createObjectNode().put("blob", "x".repeat(IntakeLimits.MAX_PARAMS_BYTES - 100));
        assertThatCode(() -> IntakeLimits.check(request(params, "https://example.com/hook"), "key-1")).doesNotThrowAnyException();
    }

    @Test
    void aNulCharacterInANestedParamIsRefusedNamingItsPath() throws Exception {
        JsonNode params = JSON.readTree("{\"clean\":{\"columns\":[\"a\",\"b\\u0000\"]}}");
        RequestRejected rejected = refused(request(params, null), null);
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.problems()).extracting(RequestRejected.FieldProblem::field).containsExactly("params.clean.columns[1]");
    }

    @Test
    void aNulCharacterInAParamNameIsRefused() throws Exception {
        RequestRejected rejected = refused(request(JSON.readTree("{\"a\\u0000b\":1}"), null), null);
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.problems().get(0).field()).startsWith("params.a");
    }

    @Test
    void aNulCharacterInTheIdempotencyKeyIsRefusedNamingTheHeader() {
        RequestRejected rejected = refused(request(null, null), "key\u0000");
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.problems()).extracting(RequestRejected.FieldProblem::field).containsExactly("Idempotency-Key");
    }

    @Test
    void aNulCharacterInATextFieldIsRefusedNamingIt() {
        RequestRejected rejected = refused(new ProcessRequest("orders", "2026\u000011", "ingest", null, null, null), null);
        assertThat(rejected.problems()).extracting(RequestRejected.FieldProblem::field).containsExactly("dataVersion");
    }

    @Test
    void aWebhookUrlTooLongIsRefusedNamingIt() {
        RequestRejected rejected = refused(request(null, "https://example.com/" + "a".repeat(IntakeLimits.MAX_WEBHOOK_URL_CHARS)), null);
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.problems()).extracting(RequestRejected.FieldProblem::field).containsExactly("webhookUrl");
    }
}
