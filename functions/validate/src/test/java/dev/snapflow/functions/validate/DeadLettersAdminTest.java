package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operators see and replay dead letters through the admin API, on the real stack: an event validate rejects
 * reaches the dead-letter topic, validate records it, the API lists and shows it with its reason, and a replay
 * republishes the same event (same id), which validate handles again. Also the intake bounds of a request.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLettersAdminTest {
    private ValidateHarness validate;
    private final String tenant = "dl-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        validate = new ValidateHarness(stack, Map.of("snapflow.dead-letters.record", "true"));
        apiKey = validate.createTenant(tenant)[0];
    }

    @AfterAll
    void stop() {
        validate.close();
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        return validate.send(HttpRequest.newBuilder(validate.uri(path))
                .header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    private List<JsonNode> deadLettersOf(String eventId, boolean includeReplayed) throws Exception {
        HttpResponse<String> listed = admin("GET", "/v1/admin/dead-letters?limit=1000&includeReplayed=" + includeReplayed);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode item : ValidateHarness.JSON.readTree(listed.body()).get("items")) {
            if (eventId.equals(item.path("eventId").asText())) {
                found.add(item);
            }
        }
        return found;
    }

    @Test
    void aRejectedEventIsListedShownAndReplayedAndTheReplayIsHandledAgain() throws Exception {
        CloudEvent unknownTenant = Events.newEvent(new ProcessRequested("no-such-" + UUID.randomUUID(), "orders",
                "2026-11-01", "ingest", null, Map.of(), null, null)).source(EventSources.CLI).build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, validate.stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", "x/orders").writeBinary(unknownTenant)).get();
        }

        await().atMost(Duration.ofSeconds(90)).until(() -> deadLettersOf(unknownTenant.getId(), false).size() == 1);
        JsonNode listed = deadLettersOf(unknownTenant.getId(), false).get(0);
        assertThat(listed.get("id").asText()).startsWith("dl-");
        assertThat(listed.get("kind").asText()).isEqualTo("dead-letter");
        // Kafka carries no API key: an unsigned event is refused before its tenant is even looked at.
        assertThat(listed.get("reason").asText()).startsWith("missing_signature");
        assertThat(listed.get("eventType").asText()).isEqualTo(unknownTenant.getType());

        HttpResponse<String> shown = admin("GET", "/v1/admin/dead-letters/" + listed.get("id").asText());
        assertThat(shown.statusCode()).isEqualTo(200);
        JsonNode event = ValidateHarness.JSON.readTree(ValidateHarness.JSON.readTree(shown.body()).get("event").asText());
        assertThat(event.get("id").asText()).isEqualTo(unknownTenant.getId());

        HttpResponse<String> replayed = admin("POST", "/v1/admin/dead-letters/" + listed.get("id").asText() + "/replay");
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
        assertThat(ValidateHarness.JSON.readTree(replayed.body()).get("eventId").asText()).isEqualTo(unknownTenant.getId());

        // handled again: validate rejects it again, so a second dead letter of the same event id appears,
        // and the first one is marked replayed
        await().atMost(Duration.ofSeconds(90)).until(() -> deadLettersOf(unknownTenant.getId(), true).size() == 2);
        assertThat(deadLettersOf(unknownTenant.getId(), true))
                .anySatisfy(item -> assertThat(item.hasNonNull("replayedAt")).isTrue());
        assertThat(deadLettersOf(unknownTenant.getId(), false)).hasSize(1);
    }

    @Test
    void theDeadLettersAreForTheAdminOnly() throws Exception {
        assertThat(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/dead-letters")).GET().build())
                .statusCode()).isEqualTo(401);
        assertThat(validate.get("/v1/admin/dead-letters", apiKey).statusCode()).isIn(401, 403);
        assertThat(validate.post("/v1/admin/dead-letters/dl-1/replay", apiKey, "application/json", "{}").statusCode())
                .isIn(401, 403);
    }

    @Test
    void anUnknownOrMalformedIdIsNotFoundAndABadLimitIsABadRequest() throws Exception {
        HttpResponse<String> unknown = admin("GET", "/v1/admin/dead-letters/dl-999999999");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("dl-999999999");
        assertThat(admin("POST", "/v1/admin/dead-letters/nonsense/replay").statusCode()).isEqualTo(404);
        HttpResponse<String> badLimit = admin("GET", "/v1/admin/dead-letters?limit=0");
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(badLimit.body()).contains("limit");
    }

    @Test
    void aNulCharacterInParamsIsRefusedNamingTheFieldAndStoresNothing() throws Exception {
        HttpResponse<String> response = validate.post("/v1/processes", apiKey, "application/json",
                "{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\",\"params\":{\"format\":\"csv\\u0000\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.body()).contains("params.format").contains("NUL");
        assertThat(validate.count("SELECT count(*) FROM processes WHERE tenant_id = ?", tenant)).isZero();
    }
}
