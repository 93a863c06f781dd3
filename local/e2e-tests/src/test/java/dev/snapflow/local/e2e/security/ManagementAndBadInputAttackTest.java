package dev.snapflow.local.e2e.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.functions.shared.security.JobTokens;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.e2e.harness.RunningSnapflow;
import dev.snapflow.local.e2e.harness.RunningSnapflowExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on the running system (four function JVMs on the real stack): management endpoints on the public ports,
 * the bad inputs of issue 12 item 9, and a revoked API key. Each gets its documented status as problem+json, and
 * nothing is stored.
 */
@ExtendWith(RunningSnapflowExtension.class)
class ManagementAndBadInputAttackTest {
    private static final List<String> MANAGEMENT = List.of("/health", "/prometheus", "/threaddump", "/beans", "/routes",
            "/metrics", "/env", "/loggers", "/info", "/caches");
    private static final List<String> INTERNALS = List.of("dev.snapflow", "java.", "$", "`", "Cannot ", "Source:",
            "jackson", "Jackson", "Exception");

    private final RunningSnapflow snapflow;

    ManagementAndBadInputAttackTest(RunningSnapflow snapflow) {
        this.snapflow = snapflow;
    }

    private HttpResponse<String> get(URI uri) {
        return snapflow.send(HttpRequest.newBuilder(uri).GET().build());
    }

    private HttpResponse<String> post(URI uri, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return snapflow.send(request.build());
    }

    private static JsonNode problem(HttpResponse<String> response, int status, String field) {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as(response.uri().toString())
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode body = RunningSnapflow.json(response.body());
        if (field != null) {
            assertThat(body.path("field").asText()).as(response.body()).isEqualTo(field);
        }
        assertThat(body.path("detail").asText()).as(response.body()).isNotBlank().doesNotContain(INTERNALS);
        return body;
    }

    @Test
    void managementEndpointsAreNotReachableOnAnyFunctionsPublicPort() {
        for (String function : ControlPlane.FUNCTIONS) {
            for (String path : MANAGEMENT) {
                problem(get(snapflow.url(function, path)), 404, null);
            }
            problem(post(snapflow.url(function, "/refresh"), null, "{}"), 404, null);
            for (String probe : List.of("/health/liveness", "/health/readiness")) {
                HttpResponse<String> answer = get(snapflow.url(function, probe));
                assertThat(answer.statusCode()).as(function + probe).isEqualTo(200);
                assertThat(RunningSnapflow.json(answer.body())).as(function + probe)
                        .isEqualTo(RunningSnapflow.json("{\"status\":\"UP\"}"));
            }
            // The details are there, on the port the Knative Service does not expose.
            HttpResponse<String> health = get(URI.create(snapflow.plane().managementUrl(function) + "/health"));
            assertThat(health.statusCode()).as(function).isEqualTo(200);
            assertThat(RunningSnapflow.json(health.body()).has("details")).as(health.body()).isTrue();
        }
    }

    @Test
    void badBodiesGetTheirDocumentedStatusAsProblemsAndStoreNothing() {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("badinput");
        URI processes = snapflow.url("validate", "/v1/processes");

        assertThat(problem(post(processes, tenant.apiKey(), "null"), 400, "body").path("detail").asText()).contains("null");
        problem(post(processes, tenant.apiKey(), "{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\","
                + "\"params\":{\"x\":\"" + "y".repeat(2 * 1024 * 1024) + "\"}}"), 413, "body");
        problem(post(processes, tenant.apiKey(), "{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\","
                + "\"params\":{\"x\":\"" + "y".repeat(70_000) + "\"}}"), 413, "body");
        assertThat(problem(post(processes, tenant.apiKey(), "[\"orders\"]"), 400, "body").path("detail").asText())
                .contains("JSON object");
        problem(post(processes, tenant.apiKey(), "{\"entity\":[1],\"dataVersion\":\"v1\",\"action\":\"ingest\"}"), 400, "entity");
        problem(post(processes, tenant.apiKey(), "{\"entity\":"), 400, "body");
        problem(snapflow.send(HttpRequest.newBuilder(processes).header("Authorization", "Bearer " + tenant.apiKey())
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build()), 405, null);
        problem(get(snapflow.url("validate", "/v2/nothing")), 404, null);

        // callback's job status endpoint, with a valid token for a job that does not exist.
        JobId job = JobId.of(UUID.randomUUID().toString(), 1, 1);
        String token = JobTokens.fromSecret(RunningSnapflow.CALLBACK_HMAC_KEY).mint(job, 1);
        URI status = snapflow.url("callback", "/v1/jobs/" + job.value() + "/status");
        problem(post(status, token, "null"), 400, "body");
        problem(post(status, token, "[1]"), 400, "body");
        problem(post(status, token, "x".repeat(300 * 1024)), 413, "body");
        problem(post(status, null, "{}"), 401, "Authorization");

        assertThat(snapflow.count("SELECT count(*) FROM processes WHERE tenant_id = '" + tenant.id() + "'")).isZero();
        assertThat(snapflow.count("SELECT count(*) FROM attempts WHERE job_id = '" + job.value() + "'")).isZero();
    }

    @Test
    void aRevokedApiKeyIsRefused() {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("revoked");
        URI keys = snapflow.url("validate", "/v1/admin/tenants/" + tenant.id() + "/api-keys");
        assertThat(snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", "/v1/processes"))
                .header("Authorization", "Bearer " + tenant.apiKey()).GET().build()).statusCode()).isEqualTo(200);

        JsonNode listed = RunningSnapflow.json(snapflow.send(HttpRequest.newBuilder(keys)
                .header("Authorization", "Bearer " + RunningSnapflow.ADMIN_TOKEN).GET().build()).body()).path("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.toString()).doesNotContain(tenant.apiKey());
        HttpResponse<String> revoked = snapflow.send(HttpRequest.newBuilder(URI.create(keys + "/" + listed.get(0).path("id").asText()))
                .header("Authorization", "Bearer " + RunningSnapflow.ADMIN_TOKEN).DELETE().build());
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> problem(post(snapflow.url("validate", "/v1/processes"),
                tenant.apiKey(), "{\"entity\":\"orders\",\"dataVersion\":\"latest\",\"action\":\"ingest\"}"), 401,
                "Authorization"));
        assertThat(snapflow.count("SELECT count(*) FROM processes WHERE tenant_id = '" + tenant.id() + "'")).isZero();
    }
}
