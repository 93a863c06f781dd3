package dev.snapflow.local.e2e.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.local.e2e.harness.RunningSnapflow;
import dev.snapflow.local.e2e.harness.RunningSnapflowExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blind SSRF through {@code webhookUrl}, on the running system as {@code snapflow up} starts it (no allow-list):
 * every address inside the machine or the cluster, and the cloud metadata service, is refused when the process or
 * subscription is submitted, with a 422 naming {@code webhookUrl} and the rule, and nothing is stored. (callback
 * checks again at delivery, after its own lookup: functions/callback's WebhookDeliveryTest.)
 */
@ExtendWith(RunningSnapflowExtension.class)
class WebhookAttackTest {
    private final RunningSnapflow snapflow;

    WebhookAttackTest(RunningSnapflow snapflow) {
        this.snapflow = snapflow;
    }

    @ParameterizedTest(name = "{0} is refused ({1})")
    @CsvSource({
            "http://127.0.0.1:8083/v1/jobs, loopback_address",
            "http://localhost:8080/v1/admin/tenants, loopback_address",
            "http://[::1]:8080/hook, loopback_address",
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/, link_local_address",
            "http://10.96.0.1:443/api, private_address",
            "http://192.168.0.1/hook, private_address",
            "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token, metadata_host",
    })
    void webhookToAnInternalAddressIsRefusedAtSubmissionAndNothingIsStored(String url, String rule) {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("ssrf");

        HttpResponse<String> process = post(tenant, "/v1/processes", """
                {"entity":"orders","dataVersion":"2026-11-01","action":"ingest","webhookUrl":"%s"}""".formatted(url));
        HttpResponse<String> subscription = post(tenant, "/v1/subscriptions", """
                {"entity":"orders","action":"ingest","webhookUrl":"%s"}""".formatted(url));

        assertRefused(process, rule);
        assertRefused(subscription, rule);
        assertThat(snapflow.count("SELECT count(*) FROM processes WHERE tenant_id = '" + tenant.id() + "'")).isZero();
        assertThat(snapflow.count("SELECT count(*) FROM subscriptions WHERE tenant_id = '" + tenant.id() + "'")).isZero();
        assertThat(snapflow.count("SELECT count(*) FROM webhook_deliveries WHERE tenant_id = '" + tenant.id() + "'")).isZero();
    }

    private HttpResponse<String> post(RunningSnapflow.Tenant tenant, String path, String body) {
        return snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", path))
                .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static void assertRefused(HttpResponse<String> response, String rule) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = RunningSnapflow.json(response.body());
        assertThat(problem.path("field").asText()).isEqualTo("webhookUrl");
        assertThat(problem.path("detail").asText()).contains("rule " + rule);
    }
}
