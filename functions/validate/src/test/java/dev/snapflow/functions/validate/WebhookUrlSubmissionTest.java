package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.events.EventSignatures;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.validate.events.ProcessRequestedHandler;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook URL the address policy refuses is a 422 naming {@code webhookUrl} and the rule, on every way in
 * (API, subscriptions, process.requested), and stores nothing. The harness allows {@code 127.0.0.1:1} as an
 * internal receiver, so these also show the allow-list is exact.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookUrlSubmissionTest {
    private ValidateHarness validate;
    private final String tenant = "wh-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;
    /** A sender registered for the tenant: a process.requested through Kafka or the broker must be signed by one. */
    private final String sender = "sender-" + tenant;
    private String signingSecret;

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        validate = new ValidateHarness(stack, Map.of());
        apiKey = validate.createTenant(tenant)[0];
        HttpResponse<String> registered = validate.post("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN,
                "application/json", "{\"id\":\"" + sender + "\",\"tenants\":[\"" + tenant + "\"]}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        signingSecret = new com.fasterxml.jackson.databind.ObjectMapper().readTree(registered.body()).get("signingSecret").asText();
    }

    @AfterAll
    void stop() {
        validate.close();
    }

    @ParameterizedTest
    @CsvSource({
            "http://127.0.0.1:8080/hook, loopback_address",
            "http://localhost:1/hook, loopback_address",
            "http://[::1]:1/hook, loopback_address",
            "http://[::ffff:127.0.0.1]:1/hook, loopback_address",
            "http://169.254.169.254/latest/meta-data/, link_local_address",
            "http://10.0.0.1/hook, private_address",
            "http://192.168.1.10:8080/hook, private_address",
            "http://100.64.0.1/hook, cgnat_address",
            "http://metadata.google.internal/computeMetadata/v1/, metadata_host",
            "http://metadata/computeMetadata/v1/, metadata_host",
            "http://user:secret@127.0.0.1:1/hook, userinfo_not_allowed",
    })
    void forbiddenWebhookUrlIsRefusedEverywhereWithTheRuleAndStoresNothing(String url, String rule) throws Exception {
        HttpResponse<String> process = validate.post("/v1/processes", apiKey, "application/json", """
                {"entity":"orders","dataVersion":"2026-11-01","action":"ingest","webhookUrl":"%s"}""".formatted(url));
        assertRefused(process, rule);

        HttpResponse<String> subscription = validate.post("/v1/subscriptions", apiKey, "application/json", """
                {"entity":"orders","action":"ingest","webhookUrl":"%s"}""".formatted(url));
        assertRefused(subscription, rule);

        HandlingOutcome requested = validate.server.getApplicationContext().getBean(ProcessRequestedHandler.class)
                .handle(EventSignatures.sign(Events.newEvent(new ProcessRequested(tenant, "orders", "2026-11-01", "ingest",
                        null, Map.of(), url, null)).source(EventSources.CLI).build(), sender, signingSecret));
        assertThat(requested).isInstanceOfSatisfying(HandlingOutcome.Reject.class, reject ->
                assertThat(reject.reason()).startsWith("422 webhookUrl: ").contains("rule " + rule));

        assertThat(validate.count("SELECT count(*) FROM processes WHERE tenant_id = ?", tenant)).isZero();
        assertThat(validate.count("SELECT count(*) FROM subscriptions WHERE tenant_id = ?", tenant)).isZero();
    }

    @Test
    void allowListedInternalReceiverPassesTheCheck() throws Exception {
        HttpResponse<String> subscription = validate.post("/v1/subscriptions", apiKey, "application/json", """
                {"entity":"allowed","action":"ingest","webhookUrl":"http://127.0.0.1:1/hook"}""");
        assertThat(subscription.statusCode()).as(subscription.body()).isEqualTo(201);
        validate.update("DELETE FROM subscriptions WHERE tenant_id = ?", tenant);
    }

    private static void assertRefused(HttpResponse<String> response, String rule) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = ValidateHarness.JSON.readTree(response.body());
        assertThat(problem.get("field").asText()).isEqualTo("webhookUrl");
        assertThat(problem.get("detail").asText()).contains("rule " + rule);
    }
}
