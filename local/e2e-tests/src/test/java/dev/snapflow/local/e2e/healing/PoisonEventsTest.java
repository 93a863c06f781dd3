package dev.snapflow.local.e2e.healing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.e2e.harness.RunningSnapflow;
import dev.snapflow.local.e2e.harness.RunningSnapflowExtension;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Poison across functions, as {@code snapflow up} runs them: launch (which has no database) gives up on a job
 * request it cannot read, the dead letter reaches validate's table through the dead-letter topic and shows in
 * the admin API with its reason and the function that gave up, and the next job of the same tenant and entity
 * (same key, same partition of the jobs topic) still starts and finishes.
 */
@ExtendWith(RunningSnapflowExtension.class)
class PoisonEventsTest {
    private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(6);

    private final RunningSnapflow snapflow;

    PoisonEventsTest(RunningSnapflow snapflow) {
        this.snapflow = snapflow;
    }

    @Test
    void aJobRequestLaunchCannotReadIsDeadLetteredAndListedAndTheNextJobOfItsKeyStillRuns() throws Exception {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("poison");
        SnapshotRef ref = new SnapshotRef(tenant.id(), "orders", "2026-12-01");
        try (S3Client s3 = snapflow.stack().s3().newClient()) {
            new SnapshotPublisher(s3, snapflow.stack().s3().bucket()).publishGenerated(ref, new OrdersSpec(3, 200, 1));
        }
        String key = tenant.id() + "/orders";
        CloudEvent poison = CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withSource(URI.create("/e2e/poison"))
                .withType(EventTypes.JOB_REQUESTED).withExtension("partitionkey", key)
                .withData("application/json", "{\"jobId\":42}".getBytes(StandardCharsets.UTF_8)).build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, snapflow.stack().kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-jobs", key).writeBinary(poison)).get();
        }

        HttpResponse<String> submitted = snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", "/v1/processes"))
                .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"entity\":\"orders\",\"dataVersion\":\"2026-12-01\",\"action\":\"ingest\",\"params\":{}}")).build());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        String processId = RunningSnapflow.json(submitted.body()).path("id").asText();

        JsonNode process = await().atMost(PROCESS_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> get("/v1/processes/" + processId, tenant.apiKey()),
                        p -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(p.path("state").asText()));
        assertThat(process.path("state").asText()).as(process.toPrettyString()).isEqualTo("SUCCEEDED");

        JsonNode dead = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> deadLetterOf(poison.getId()), Optional::isPresent).orElseThrow();
        assertThat(dead.path("kind").asText()).isEqualTo("dead-letter");
        assertThat(dead.path("source").asText()).contains("launch").contains("snapflow-jobs");
        assertThat(dead.path("partitionKey").asText()).isEqualTo(key);
        assertThat(dead.path("reason").asText()).isNotBlank();
    }

    private Optional<JsonNode> deadLetterOf(String eventId) {
        JsonNode items = get("/v1/admin/dead-letters?limit=1000", RunningSnapflow.ADMIN_TOKEN).path("items");
        return StreamSupport.stream(items.spliterator(), false)
                .filter(item -> eventId.equals(item.path("eventId").asText())).findFirst();
    }

    private JsonNode get(String path, String bearer) {
        return RunningSnapflow.json(snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", path))
                .header("Authorization", "Bearer " + bearer).GET().build()).body());
    }
}
