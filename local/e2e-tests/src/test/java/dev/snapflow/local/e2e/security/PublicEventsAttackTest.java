package dev.snapflow.local.e2e.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.events.EventSignatures;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.contracts.events.SnapshotPublished;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.e2e.harness.RunningSnapflow;
import dev.snapflow.local.e2e.harness.RunningSnapflowExtension;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

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
 * Issue 12, "Public entries": on the real stack, nobody acts for a tenant without proof. Over HTTP the proof is the
 * tenant's API key at {@code POST /v1/events}; over Kafka (the broker's topic) it is the signature of a sender
 * registered for the tenant. Unauthenticated, cross-tenant, unsigned and wrongly signed events create nothing.
 */
@ExtendWith(RunningSnapflowExtension.class)
class PublicEventsAttackTest {
    private static final Duration DEAD_LETTER_WAIT = Duration.ofSeconds(90);

    private final RunningSnapflow snapflow;

    PublicEventsAttackTest(RunningSnapflow snapflow) {
        this.snapflow = snapflow;
    }

    private long processesOf(RunningSnapflow.Tenant tenant) {
        return snapflow.count("SELECT count(*) FROM processes WHERE tenant_id = '" + tenant.id() + "'");
    }

    private PublishedSnapshot commitSnapshot(RunningSnapflow.Tenant tenant, String dataVersion) throws Exception {
        try (S3Client s3 = snapflow.stack().s3().newClient()) {
            return new SnapshotPublisher(s3, snapflow.stack().s3().bucket())
                    .publishGenerated(new SnapshotRef(tenant.id(), "orders", dataVersion), new OrdersSpec(5, 100, 1));
        }
    }

    private static CloudEvent requested(RunningSnapflow.Tenant tenant) {
        return Events.newEvent(new ProcessRequested(tenant.id(), "orders", "latest", "ingest", null, Map.of(), null, null))
                .source(URI.create("/attacker")).build();
    }

    private static CloudEvent published(RunningSnapflow.Tenant tenant, PublishedSnapshot snapshot) {
        return Events.newEvent(new SnapshotPublished(tenant.id(), "orders", snapshot.ref().dataVersion(),
                snapshot.manifestKey(), null, Instant.now())).source(URI.create("/publisher")).build();
    }

    /** Posts the event in the structured HTTP binding ({@code application/cloudevents+json}). */
    private HttpResponse<String> postEvent(CloudEvent event, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(snapflow.url("validate", "/v1/events"))
                .header("Content-Type", "application/cloudevents+json");
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return snapflow.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(Events.toJson(event))).build());
    }

    private void produce(CloudEvent event) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, snapflow.stack().kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", Events.partitionKey(event).orElseThrow())
                    .writeBinary(event)).get();
        }
    }

    /** The reason validate gave when it dead-lettered the event (waits for it). */
    private String deadLetterReason(CloudEvent event) {
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, snapflow.stack().kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "attack-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new CloudEventDeserializer())) {
            consumer.subscribe(List.of("snapflow-dead-letter"));
            String[] reason = new String[1];
            await().atMost(DEAD_LETTER_WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (record.value() != null && event.getId().equals(record.value().getId())) {
                        Header header = record.headers().lastHeader("snapflow-dead-letter-reason");
                        reason[0] = header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
                    }
                });
                return reason[0] != null;
            });
            return reason[0];
        }
    }

    private String[] registerSender(String id, RunningSnapflow.Tenant tenant) {
        HttpResponse<String> response = snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", "/v1/admin/senders"))
                .header("Authorization", "Bearer " + RunningSnapflow.ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"tenants\":[\"" + tenant.id() + "\"]}")).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return new String[] {id, RunningSnapflow.json(response.body()).path("signingSecret").asText()};
    }

    @Test
    void anUnauthenticatedEventOverHttpIsRefusedAndCreatesNothing() throws Exception {
        RunningSnapflow.Tenant victim = snapflow.newTenant("victim");
        commitSnapshot(victim, "2026-12-01");

        HttpResponse<String> noKey = postEvent(requested(victim), null);
        HttpResponse<String> forgedKey = postEvent(requested(victim), "sfk_forged");

        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(forgedKey.statusCode()).isEqualTo(401);
        assertThat(noKey.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(processesOf(victim)).isZero();
    }

    @Test
    void anEventForAnotherTenantOverHttpIsForbiddenAndCreatesNothing() throws Exception {
        RunningSnapflow.Tenant victim = snapflow.newTenant("victim");
        RunningSnapflow.Tenant attacker = snapflow.newTenant("attacker");
        PublishedSnapshot snapshot = commitSnapshot(victim, "2026-12-01");

        HttpResponse<String> request = postEvent(requested(victim), attacker.apiKey());
        HttpResponse<String> publication = postEvent(published(victim, snapshot), attacker.apiKey());

        assertThat(request.statusCode()).isEqualTo(403);
        assertThat(publication.statusCode()).isEqualTo(403);
        assertThat(RunningSnapflow.json(request.body()).path("field").asText()).isEqualTo("data.tenant");
        assertThat(processesOf(victim)).isZero();
        assertThat(processesOf(attacker)).isZero();
    }

    @Test
    void unsignedAndWronglySignedEventsOnKafkaAreDeadLetteredAndCreateNothing() throws Exception {
        RunningSnapflow.Tenant victim = snapflow.newTenant("victim");
        RunningSnapflow.Tenant attacker = snapflow.newTenant("attacker");
        PublishedSnapshot snapshot = commitSnapshot(victim, "2026-12-01");
        assertThat(snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", "/v1/subscriptions"))
                .header("Authorization", "Bearer " + victim.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"entity\":\"orders\",\"action\":\"ingest\"}")).build())
                .statusCode()).isEqualTo(201);
        String[] attackersSender = registerSender("attacker-system-" + attacker.id(), attacker);

        CloudEvent unsignedRequest = requested(victim);
        CloudEvent unsignedPublication = published(victim, snapshot);
        CloudEvent forgedSignature = EventSignatures.sign(published(victim, snapshot), attackersSender[0], EventSignatures.newSecret());
        CloudEvent otherTenantsSender = EventSignatures.sign(requested(victim), attackersSender[0], attackersSender[1]);
        for (CloudEvent event : List.of(unsignedRequest, unsignedPublication, forgedSignature, otherTenantsSender)) {
            produce(event);
        }

        assertThat(deadLetterReason(unsignedRequest)).startsWith("missing_signature");
        assertThat(deadLetterReason(unsignedPublication)).startsWith("missing_signature");
        assertThat(deadLetterReason(forgedSignature)).startsWith("bad_signature");
        assertThat(deadLetterReason(otherTenantsSender)).startsWith("sender_not_registered_for_tenant");
        assertThat(processesOf(victim)).isZero();
    }

    @Test
    void aProperlySignedPublicationOnKafkaAndAnAuthenticatedRequestOverHttpEachStartAProcess() throws Exception {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("signed");
        PublishedSnapshot snapshot = commitSnapshot(tenant, "2026-12-01");
        assertThat(snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", "/v1/subscriptions"))
                .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"entity\":\"orders\",\"action\":\"ingest\"}")).build())
                .statusCode()).isEqualTo(201);
        String[] sender = registerSender("warehouse-" + tenant.id(), tenant);

        produce(EventSignatures.sign(published(tenant, snapshot), sender[0], sender[1]));
        HttpResponse<String> overHttp = postEvent(requested(tenant), tenant.apiKey());

        assertThat(overHttp.statusCode()).as(overHttp.body()).isEqualTo(202);
        JsonNode processes = RunningSnapflow.json(overHttp.body()).path("processes");
        assertThat(processes).hasSize(1);
        await().atMost(DEAD_LETTER_WAIT).untilAsserted(() -> assertThat(snapflow.count(
                "SELECT count(*) FROM processes WHERE tenant_id = '" + tenant.id() + "' AND origin = 'subscription'")).isEqualTo(1));
        assertThat(snapflow.count("SELECT count(*) FROM processes WHERE id = '" + processes.get(0).asText()
                + "' AND origin = 'event'")).isEqualTo(1);
    }
}
