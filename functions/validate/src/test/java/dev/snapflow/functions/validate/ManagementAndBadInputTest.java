package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The public port serves the API and bare probes only (management lives on its own port); every bad input,
 * including the ones the framework answers itself, gets problem+json naming the field and the rule; API keys are
 * listed and revoked through the admin API.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementAndBadInputTest {
    /** Words that only appear when a Java class name or a parser's message leaks into a problem. */
    private static final List<String> INTERNALS = List.of("dev.snapflow", "java.", "$", "`", "Cannot ", "Source:",
            "jackson", "Jackson", "line: ", "Unexpected character", "MismatchedInput", "Exception");
    private static final List<String> MANAGEMENT = List.of("/health", "/prometheus", "/threaddump", "/beans",
            "/routes", "/metrics", "/env", "/loggers", "/info", "/refresh", "/caches", "/stop");

    private ValidateHarness validate;
    private LocalStack stack;
    private final String tenant = "m-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        this.stack = stack;
        validate = new ValidateHarness(stack, Map.of());
        apiKey = validate.createTenant(tenant)[0];
    }

    @AfterAll
    void stop() {
        validate.close();
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return validate.send(HttpRequest.newBuilder(uri).GET().build());
    }

    private long processesOfTenant() throws Exception {
        return validate.count("SELECT count(*) FROM processes WHERE tenant_id = ?", tenant);
    }

    private static JsonNode problem(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode body = ValidateHarness.JSON.readTree(response.body());
        if (field != null) {
            assertThat(body.path("field").asText()).as(response.body()).isEqualTo(field);
        }
        assertThat(body.path("detail").asText()).as("detail of " + response.body()).isNotBlank()
                .doesNotContain(INTERNALS);
        return body;
    }

    @Test
    void managementEndpointsAreNotServedOnThePublicPort() throws Exception {
        for (String path : MANAGEMENT) {
            problem(get(validate.uri(path)), 404, null);
            problem(validate.send(HttpRequest.newBuilder(validate.uri(path)).POST(HttpRequest.BodyPublishers.noBody())
                    .build()), 404, null);
        }
    }

    @Test
    void thePublicPortAnswersLivenessAndReadinessWithoutDetails() throws Exception {
        for (String probe : List.of("/health/liveness", "/health/readiness")) {
            HttpResponse<String> response = get(validate.uri(probe));
            assertThat(response.statusCode()).as(probe).isEqualTo(200);
            assertThat(ValidateHarness.JSON.readTree(response.body()))
                    .isEqualTo(ValidateHarness.JSON.readTree("{\"status\":\"UP\"}"));
        }
    }

    @Test
    void theManagementPortServesHealthWithDetailsAndPrometheusAndNothingElse() throws Exception {
        HttpResponse<String> health = get(validate.managementUri("/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ValidateHarness.JSON.readTree(health.body()).has("details")).as(health.body()).isTrue();
        assertThat(get(validate.managementUri("/prometheus")).statusCode()).isEqualTo(200);
        for (String path : List.of("/threaddump", "/beans", "/routes", "/metrics", "/env", "/loggers", "/info",
                "/caches")) {
            assertThat(get(validate.managementUri(path)).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(validate.send(HttpRequest.newBuilder(validate.managementUri("/refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(404);
    }

    @Test
    void aNullBodyIsA400NamingTheBody() throws Exception {
        long before = processesOfTenant();
        JsonNode body = problem(validate.post("/v1/processes", apiKey, "application/json", "null"), 400, "body");
        assertThat(body.path("detail").asText()).contains("null");
        problem(validate.post("/v1/processes", apiKey, "application/json", " null "), 400, "body");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void aBodyOverTheServersOwnLimitIsA413Problem() throws Exception {
        long before = processesOfTenant();
        // 2 MiB: over micronaut.server.max-request-size (1 MB), which the framework enforces before our code runs.
        String huge = "{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\",\"params\":{\"x\":\""
                + "y".repeat(2 * 1024 * 1024) + "\"}}";
        problem(validate.post("/v1/processes", apiKey, "application/json", huge), 413, "body");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void problemDetailsNameTheFieldAndTheRuleNeverAClassOrTheParser() throws Exception {
        long before = processesOfTenant();
        assertThat(problem(validate.post("/v1/processes", apiKey, "application/json", "[1,2]"), 400, "body")
                .path("detail").asText()).contains("JSON object");
        assertThat(problem(validate.post("/v1/processes", apiKey, "application/json", "\"text\""), 400, "body")
                .path("detail").asText()).contains("JSON object");
        assertThat(problem(validate.post("/v1/processes", apiKey, "application/json",
                "{\"entity\":{\"a\":1},\"dataVersion\":\"v1\",\"action\":\"ingest\"}"), 400, "entity")
                .path("detail").asText()).contains("string");
        assertThat(problem(validate.post("/v1/processes", apiKey, "application/json", "{\"entity\":\"orders\",}"),
                400, "body").path("detail").asText()).contains("valid JSON");
        problem(validate.post("/v1/processes", apiKey, "application/json", "{\"entity\":\"orders\"} trailing"), 400, "body");
        problem(validate.post("/v1/processes/" + UUID.randomUUID() + "/cancel", apiKey, "application/json",
                "{\"reason\":[1]}"), 400, "reason");
        problem(validate.post("/v1/admin/tenants", ValidateHarness.ADMIN_TOKEN, "application/json", "null"), 400, "body");
        problem(validate.post("/v1/admin/tenants", ValidateHarness.ADMIN_TOKEN, "application/json",
                "{\"id\":\"x\",\"maxConcurrentJobs\":\"many\"}"), 400, "maxConcurrentJobs");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void errorsTheFrameworkAnswersItselfAreProblemsToo() throws Exception {
        problem(get(validate.uri("/no/such/path")), 404, null);
        JsonNode notAllowed = problem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/processes"))
                .header("Authorization", "Bearer " + apiKey).PUT(HttpRequest.BodyPublishers.ofString("{}")).build()),
                405, null);
        assertThat(notAllowed.path("detail").asText()).contains("PUT");
        problem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/processes"))
                .header("Authorization", "Bearer " + apiKey).DELETE().build()), 405, null);
    }

    @Test
    void apiKeysAreListedWithoutSecretsAndARevokedKeyIsRefusedByEveryReplicaWithinTheRememberedInterval()
            throws Exception {
        String keysTenant = "k-" + UUID.randomUUID().toString().substring(0, 8);
        String first = validate.createTenant(keysTenant)[0];
        HttpResponse<String> created = validate.post("/v1/admin/tenants/" + keysTenant + "/api-keys",
                ValidateHarness.ADMIN_TOKEN, "application/json", "");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String second = ValidateHarness.JSON.readTree(created.body()).get("apiKey").asText();

        // A second replica remembers the first key (as validate does for 5 s) before the first replica revokes it.
        try (ValidateHarness otherReplica = new ValidateHarness(stack, Map.of())) {
            assertThat(otherReplica.get("/v1/processes", first).statusCode()).isEqualTo(200);
            assertThat(validate.get("/v1/processes", first).statusCode()).isEqualTo(200);

            JsonNode keys = listKeys(keysTenant);
            assertThat(keys).hasSize(2);
            for (JsonNode key : keys) {
                assertThat(key.has("id") && key.has("createdAt") && key.has("prefix")).as(key.toString()).isTrue();
                assertThat(key.toString()).doesNotContain(first).doesNotContain(second).doesNotContain("hash");
            }
            JsonNode firstKey = keyWithPrefix(keys, first);
            assertThat(firstKey.path("lastUsedAt").asText()).as("last use of %s", firstKey).isNotEmpty();

            HttpResponse<String> revoked = validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/"
                    + keysTenant + "/api-keys/" + firstKey.get("id").asText())).header("Authorization", "Bearer "
                    + ValidateHarness.ADMIN_TOKEN).DELETE().build());
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
            assertThat(ValidateHarness.JSON.readTree(revoked.body()).path("revokedAt").asText()).isNotEmpty();

            // The replica that revoked it refuses it at once; the other once it stops remembering it.
            problem(validate.get("/v1/processes", first), 401, "Authorization");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    problem(otherReplica.get("/v1/processes", first), 401, "Authorization"));
            assertThat(validate.get("/v1/processes", second).statusCode()).isEqualTo(200);
            assertThat(keyWithPrefix(listKeys(keysTenant), first).path("revokedAt").asText()).isNotEmpty();
        }
    }

    @Test
    void keyAdministrationRefusesUnknownTenantsUnknownKeysAndMissingAdminTokens() throws Exception {
        problem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/no-such-tenant/api-keys"))
                .header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN).GET().build()), 404, "id");
        problem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/" + tenant + "/api-keys/"
                + UUID.randomUUID())).header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN).DELETE().build()),
                404, "keyId");
        problem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/" + tenant + "/api-keys/not-a-uuid"))
                .header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN).DELETE().build()), 404, "keyId");
        problem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/" + tenant + "/api-keys"))
                .header("Authorization", "Bearer " + apiKey).GET().build()), 401, "Authorization");
        JsonNode keys = listKeys(tenant);
        problem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/" + tenant + "/api-keys/"
                + keys.get(0).get("id").asText())).DELETE().build()), 401, "Authorization");
        assertThat(validate.get("/v1/processes", apiKey).statusCode()).isEqualTo(200);
    }

    private JsonNode listKeys(String tenantId) throws Exception {
        HttpResponse<String> response = validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/tenants/"
                + tenantId + "/api-keys")).header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN).GET().build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ValidateHarness.JSON.readTree(response.body()).get("items");
    }

    private static JsonNode keyWithPrefix(JsonNode keys, String apiKey) {
        for (JsonNode key : keys) {
            if (apiKey.startsWith(key.get("prefix").asText())) {
                return key;
            }
        }
        throw new AssertionError("no key with the prefix of the key in " + keys);
    }
}
