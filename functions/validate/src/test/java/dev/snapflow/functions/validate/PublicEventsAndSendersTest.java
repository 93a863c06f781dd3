package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.events.EventSignatures;
import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.contracts.events.SnapshotPublished;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.functions.shared.events.DeadLetters;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two ways another system may ask validate to act for a tenant: {@code POST /v1/events} with the tenant's API
 * key, and an event through the broker or Kafka signed by a sender registered for that tenant. Everything else
 * stores nothing.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublicEventsAndSendersTest {
    private ValidateHarness validate;
    private EventsTap deadLetters;
    private final String tenant = "pe-" + UUID.randomUUID().toString().substring(0, 8);
    private final String victim = "pv-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;
    private String victimKey;
    private final SnapshotRef snapshot = new SnapshotRef(tenant, "orders", "2026-11-01");
    private final SnapshotRef victimSnapshot = new SnapshotRef(victim, "orders", "2026-11-01");

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        validate = new ValidateHarness(stack, Map.of());
        deadLetters = new EventsTap(stack.kafka().bootstrapServers(), "snapflow-dead-letter");
        apiKey = validate.createTenant(tenant)[0];
        victimKey = validate.createTenant(victim)[0];
        validate.commitRawSnapshot(snapshot);
        validate.commitRawSnapshot(victimSnapshot);
    }

    @AfterAll
    void stop() {
        deadLetters.close();
        validate.close();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ValidateHarness.JSON.readTree(response.body());
    }

    private long processesOf(String tenantId) throws Exception {
        return validate.count("SELECT count(*) FROM processes WHERE tenant_id = ?", tenantId);
    }

    private static CloudEvent requested(String tenantId, String idempotencyKey) {
        return Events.newEvent(new ProcessRequested(tenantId, "orders", "2026-11-01", "ingest", null, Map.of(), null,
                idempotencyKey)).source(URI.create("/test/other-system")).build();
    }

    private HttpResponse<String> postEvent(CloudEvent event, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(validate.uri("/v1/events"));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
        return validate.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build());
    }

    private void assertProblem(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).get("field").asText()).isEqualTo(field);
    }

    private String[] registerSender(String id, String... tenants) throws Exception {
        HttpResponse<String> response = validate.post("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN, "application/json",
                ValidateHarness.JSON.writeValueAsString(Map.of("id", id, "tenants", List.of(tenants))));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return new String[] {json(response).get("id").asText(), json(response).get("signingSecret").asText()};
    }

    private void produce(CloudEvent event) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, validate.stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", Events.partitionKey(event).orElseThrow())
                    .writeBinary(event)).get();
        }
    }

    /** Waits for the event's dead letter and returns its reason. */
    private String deadLetterReason(CloudEvent event) {
        ConsumerRecord<String, CloudEvent> dead = await().atMost(Duration.ofSeconds(60))
                .until(() -> deadLetters.poll(e -> e.getId().equals(event.getId())), records -> !records.isEmpty()).get(0);
        return new String(dead.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8);
    }

    // --- POST /v1/events ---

    @Test
    void anEventWithoutAValidApiKeyIsUnauthorizedAndStoresNothing() throws Exception {
        long before = processesOf(tenant);

        assertProblem(postEvent(requested(tenant, "no-key"), null), 401, "Authorization");
        assertProblem(postEvent(requested(tenant, "forged-key"), "sfk_forged"), 401, "Authorization");

        assertThat(processesOf(tenant)).isEqualTo(before);
    }

    @Test
    void anEventForAnotherTenantIsForbiddenAlikeWhetherThatTenantExistsOrNotAndStoresNothing() throws Exception {
        long before = processesOf(victim);

        HttpResponse<String> existing = postEvent(requested(victim, "cross-tenant"), apiKey);
        HttpResponse<String> missing = postEvent(requested("no-such-tenant", "cross-tenant"), apiKey);
        SnapshotPublished published = new SnapshotPublished(victim, "orders", "2026-11-01",
                StorageLayout.rawSnapshotManifestKey(victimSnapshot), null, Instant.now());
        HttpResponse<String> snapshotOfVictim = postEvent(Events.newEvent(published).source(URI.create("/x")).build(), apiKey);

        assertProblem(existing, 403, "data.tenant");
        assertProblem(missing, 403, "data.tenant");
        assertProblem(snapshotOfVictim, 403, "data.tenant");
        assertThat(json(existing).get("detail")).isEqualTo(json(missing).get("detail"));
        assertThat(processesOf(victim)).isEqualTo(before);
    }

    @Test
    void onlyProcessRequestedAndSnapshotPublishedAreAcceptedAndBadEventsNameTheirField() throws Exception {
        long before = processesOf(tenant);
        CloudEvent other = CloudEventBuilder.v1().withId("x").withSource(URI.create("/x"))
                .withType(EventTypes.PROCESS_CANCELLED).withData("application/json", "{}".getBytes(StandardCharsets.UTF_8)).build();
        HttpResponse<String> notAnEvent = validate.post("/v1/events", apiKey, "application/json", "{\"tenant\":\"" + tenant + "\"}");
        CloudEvent misspelt = CloudEventBuilder.v1().withId("y").withSource(URI.create("/x")).withType(EventTypes.PROCESS_REQUESTED)
                .withData("application/json", ("{\"tenant\":\"" + tenant + "\",\"entity\":\"orders\",\"dataVersion\":\"latest\","
                        + "\"action\":\"ingest\",\"parmas\":{}}").getBytes(StandardCharsets.UTF_8)).build();

        assertProblem(postEvent(other, apiKey), 422, "type");
        assertProblem(notAnEvent, 400, "ce-specversion");
        assertProblem(postEvent(misspelt, apiKey), 400, "parmas");
        HttpResponse<String> unknownAction = postEvent(Events.newEvent(new ProcessRequested(tenant, "orders", "2026-11-01",
                "explode", null, Map.of(), null, null)).source(URI.create("/x")).build(), apiKey);
        assertProblem(unknownAction, 422, "action");
        assertThat(processesOf(tenant)).isEqualTo(before);
    }

    @Test
    void anAuthenticatedProcessRequestedIsAcceptedWithItsProcessIdAndARepeatNamesTheSameProcess() throws Exception {
        CloudEvent event = requested(tenant, null);

        HttpResponse<String> first = postEvent(event, apiKey);
        HttpResponse<String> again = postEvent(event, apiKey);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String id = json(first).get("processes").get(0).asText();
        assertThat(json(again).get("processes").get(0).asText()).isEqualTo(id);
        assertThat(validate.count("SELECT count(*) FROM processes WHERE id = ?::uuid AND tenant_id = ? AND origin = 'event'",
                id, tenant)).isEqualTo(1);
    }

    @Test
    void anAuthenticatedSnapshotPublishedInStructuredModeStartsTheTenantsSubscriptions() throws Exception {
        assertThat(validate.post("/v1/subscriptions", apiKey, "application/json",
                "{\"entity\":\"orders\",\"action\":\"ingest\"}").statusCode()).isEqualTo(201);
        CloudEvent published = Events.newEvent(new SnapshotPublished(tenant, "orders", "2026-11-01",
                StorageLayout.rawSnapshotManifestKey(snapshot), 2L, Instant.now())).source(URI.create("/x")).build();

        HttpResponse<String> response = validate.post("/v1/events", apiKey, "application/cloudevents+json",
                new String(Events.toJson(published), StandardCharsets.UTF_8));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json(response).get("processes")).hasSize(1);
        assertThat(validate.count("SELECT count(*) FROM processes WHERE tenant_id = ? AND origin = 'subscription'", tenant))
                .isEqualTo(1);
    }

    // --- signed events through Kafka ---

    @Test
    void aSignedEventOfARegisteredSenderStartsAProcessAndMarksTheSenderUsed() throws Exception {
        String[] sender = registerSender("orders-system-" + UUID.randomUUID().toString().substring(0, 6), tenant);
        CloudEvent signed = EventSignatures.sign(requested(tenant, "signed-over-kafka"), sender[0], sender[1]);

        produce(signed);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(validate.count(
                "SELECT count(*) FROM processes WHERE tenant_id = ? AND idempotency_key = 'signed-over-kafka'", tenant)).isEqualTo(1));
        JsonNode listed = json(validate.get("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN));
        JsonNode mine = null;
        for (JsonNode item : listed.get("items")) {
            if (item.get("id").asText().equals(sender[0])) {
                mine = item;
            }
        }
        assertThat(mine).isNotNull();
        assertThat(mine.get("tenants")).extracting(JsonNode::asText).containsExactly(tenant);
        assertThat(mine.hasNonNull("createdAt")).isTrue();
        assertThat(mine.hasNonNull("lastUsedAt")).isTrue();
        assertThat(mine.has("signingSecret")).isFalse();
    }

    @Test
    void unsignedUnknownBadlySignedWrongTenantAndRevokedEventsAreDeadLetteredNamingTheRuleAndStoreNothing() throws Exception {
        String[] sender = registerSender("warehouse-" + UUID.randomUUID().toString().substring(0, 6), tenant);
        String[] revoked = registerSender("retired-" + UUID.randomUUID().toString().substring(0, 6), victim);
        assertThat(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/senders/" + revoked[0]))
                .header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN).DELETE().build()).statusCode()).isEqualTo(200);
        long tenantBefore = processesOf(tenant);
        long victimBefore = processesOf(victim);

        CloudEvent unsigned = requested(victim, "attack-unsigned");
        CloudEvent unknown = EventSignatures.sign(requested(victim, "attack-unknown"), "nobody", EventSignatures.newSecret());
        CloudEvent badlySigned = EventSignatures.sign(requested(victim, "attack-bad-signature"), sender[0], EventSignatures.newSecret());
        CloudEvent wrongTenant = EventSignatures.sign(requested(victim, "attack-wrong-tenant"), sender[0], sender[1]);
        CloudEvent tampered = CloudEventBuilder.from(EventSignatures.sign(requested(tenant, "attack-tampered"), sender[0], sender[1]))
                .withData("application/json", Events.toJsonNode(new ProcessRequested(victim, "orders", "2026-11-01", "ingest",
                        null, Map.of(), null, "attack-tampered")).toString().getBytes(StandardCharsets.UTF_8)).build();
        CloudEvent fromRevoked = EventSignatures.sign(requested(victim, "attack-revoked"), revoked[0], revoked[1]);
        for (CloudEvent event : List.of(unsigned, unknown, badlySigned, wrongTenant, tampered, fromRevoked)) {
            produce(event);
        }

        assertThat(deadLetterReason(unsigned)).startsWith("missing_signature:");
        assertThat(deadLetterReason(unknown)).startsWith("unknown_sender:");
        assertThat(deadLetterReason(badlySigned)).startsWith("bad_signature:");
        assertThat(deadLetterReason(wrongTenant)).startsWith("sender_not_registered_for_tenant:");
        assertThat(deadLetterReason(tampered)).startsWith("bad_signature:");
        assertThat(deadLetterReason(fromRevoked)).startsWith("revoked_sender:");
        assertThat(processesOf(tenant)).isEqualTo(tenantBefore);
        assertThat(processesOf(victim)).isEqualTo(victimBefore);
        String metrics = validate.send(HttpRequest.newBuilder(validate.managementUri("/prometheus")).GET().build()).body();
        assertThat(metrics).contains("snapflow_events_sender_rejected_total{rule=\"missing_signature\"");
    }

    @Test
    void aSignedSnapshotPublishedStartsTheSubscriptionsOfItsTenantOnly() throws Exception {
        assertThat(validate.post("/v1/subscriptions", victimKey, "application/json",
                "{\"entity\":\"orders\",\"action\":\"ingest\"}").statusCode()).isEqualTo(201);
        String[] sender = registerSender("victim-warehouse-" + UUID.randomUUID().toString().substring(0, 6), victim);
        CloudEvent published = Events.newEvent(new SnapshotPublished(victim, "orders", "2026-11-01",
                StorageLayout.rawSnapshotManifestKey(victimSnapshot), 2L, Instant.now())).source(URI.create("/x")).build();

        produce(EventSignatures.sign(published, sender[0], sender[1]));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(validate.count(
                "SELECT count(*) FROM processes WHERE tenant_id = ? AND origin = 'subscription'", victim)).isEqualTo(1));
    }

    // --- the admin API ---

    @Test
    void senderRegistrationNeedsTheAdminTokenKnownTenantsAndAFreshId() throws Exception {
        String id = "reg-" + UUID.randomUUID().toString().substring(0, 6);
        String body = ValidateHarness.JSON.writeValueAsString(Map.of("id", id, "tenants", List.of(tenant)));

        assertProblem(validate.post("/v1/admin/senders", apiKey, "application/json", body), 401, "Authorization");
        assertProblem(validate.get("/v1/admin/senders", apiKey), 401, "Authorization");
        assertProblem(validate.post("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN, "application/json",
                ValidateHarness.JSON.writeValueAsString(Map.of("id", id, "tenants", List.of("no-such-tenant")))), 422, "tenants");
        assertProblem(validate.post("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN, "application/json",
                ValidateHarness.JSON.writeValueAsString(Map.of("id", id, "tenants", List.of()))), 422, "tenants");
        assertProblem(validate.post("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN, "application/json",
                ValidateHarness.JSON.writeValueAsString(Map.of("id", "../x", "tenants", List.of(tenant)))), 422, "id");
        String secret = registerSender(id, tenant)[1];
        assertThat(secret).startsWith(EventSignatures.SECRET_PREFIX);
        assertProblem(validate.post("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN, "application/json", body), 409, "id");
        assertProblem(validate.send(HttpRequest.newBuilder(validate.uri("/v1/admin/senders/no-such-sender"))
                .header("Authorization", "Bearer " + ValidateHarness.ADMIN_TOKEN).DELETE().build()), 404, "id");
        assertThat(validate.count("SELECT count(*) FROM event_senders WHERE id = ?", id)).isEqualTo(1);
        assertThat(validate.count("SELECT count(*) FROM event_senders WHERE secret_salt LIKE ?", "%" + secret.substring(6) + "%"))
                .as("the secret is not stored").isZero();
    }
}
