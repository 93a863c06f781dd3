package dev.snapflow.functions.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.events.EventSignatures;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.SnapshotPublished;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The control plane end to end: four function JVMs from their jars, the real local stack, jobs started by the
 * launch function's local backend. Nothing of ours is mocked.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {
    private static final Duration LONG = Duration.ofSeconds(120);

    private EndToEndHarness harness;
    private WebhookReceiver webhooks;
    private final String tenant = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;
    private String webhookSecret;
    private final SnapshotRef snapshot = new SnapshotRef(tenant, "orders", "2026-11-21");

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        harness = EndToEndHarness.start(stack);
        webhooks = new WebhookReceiver();
        JsonNode created = harness.createTenant(tenant, null);
        apiKey = created.get("apiKey").asText();
        webhookSecret = created.get("webhookSecret").asText();
        harness.commitRawSnapshot(snapshot);
    }

    @AfterAll
    void stop() {
        if (webhooks != null) {
            webhooks.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    private JsonNode awaitState(String key, String id, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(LONG).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = harness.process(key, id);
            assertThat(last[0].get("state").asText()).as(last[0].toPrettyString()).isEqualTo(state);
        });
        return last[0];
    }

    @Test
    void submittedPipelineRunsBothStepsToSucceededAndCallsTheWebhookOnceSigned() throws Exception {
        JsonNode accepted = harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","pipeline":"it-two-steps",
                 "params":{"it-first":{"behaviour":"succeed"},"it-second":{"behaviour":"succeed"}},
                 "webhookUrl":"%s"}""".formatted(webhooks.url("/hooks/happy")));
        String id = accepted.get("id").asText();

        JsonNode done = awaitState(apiKey, id, "SUCCEEDED");

        JsonNode steps = done.get("steps");
        assertThat(steps).extracting(s -> s.get("state").asText()).containsExactly("SUCCEEDED", "SUCCEEDED");
        String firstOutput = steps.get(0).get("outputManifest").asText();
        assertThat(firstOutput).startsWith("s3://snapflow/" + tenant + "/orders/2026-11-21/bronze/it-first-");
        assertThat(steps.get(1).get("inputManifest").asText()).isEqualTo(firstOutput);
        assertThat(done.get("resultManifest").asText()).isEqualTo(steps.get(1).get("outputManifest").asText())
                .contains("/silver/it-second-");

        await().atMost(LONG).untilAsserted(() -> assertThat(webhooks.callsTo("/hooks/happy")).hasSize(1));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> webhooks.callsTo("/hooks/happy").size() == 1);
        WebhookReceiver.Call call = webhooks.callsTo("/hooks/happy").get(0);
        assertThat(WebhookSigner.verify(webhookSecret, call.headers().get("webhook-id"),
                call.headers().get("webhook-timestamp"), call.body(), call.headers().get("webhook-signature"))).isTrue();
        JsonNode payload = EndToEndHarness.JSON.readTree(call.body());
        assertThat(payload.get("type").asText()).isEqualTo("process.succeeded");
        assertThat(payload.get("data").get("processId").asText()).isEqualTo(id);

    }

    /**
     * Accepted (the process row) to job started (the job's first RUNNING report), also split at job requested
     * (enqueue) and job launched (launch). Measured on several single-step processes, one after the other, and
     * written to target/accepted-to-started-latency.txt; no assertion on speed (that belongs to bench/).
     */
    @Test
    void measuresTheLatencyFromAcceptedToJobStarted() throws Exception {
        List<Long> requested = new ArrayList<>();
        List<Long> launched = new ArrayList<>();
        List<Long> started = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = harness.submit(apiKey, """
                    {"entity":"orders","dataVersion":"2026-11-21","action":"it-first","params":{"behaviour":"succeed"}}""")
                    .get("id").asText();
            awaitState(apiKey, id, "SUCCEEDED");
            Map<String, Object> row = harness.rows("""
                    SELECT p.created_at, a.requested_at, a.launched_at, a.started_at FROM processes p
                    JOIN attempts a ON a.process_id = p.id AND a.step_no = 1 AND a.attempt = 1 WHERE p.id = ?""",
                    UUID.fromString(id)).get(0);
            Instant created = ((Timestamp) row.get("created_at")).toInstant();
            requested.add(millis(created, row.get("requested_at")));
            launched.add(millis(created, row.get("launched_at")));
            started.add(millis(created, row.get("started_at")));
        }
        String line = "accepted->job requested " + summary(requested) + "; accepted->job launched " + summary(launched)
                + "; accepted->job started (first RUNNING report) " + summary(started);
        System.out.println("LATENCY " + line);
        Files.writeString(Path.of("target", "accepted-to-started-latency.txt"), line + "\n");
        // Every stage was recorded, in causal order (one clock: all on this machine).
        for (int i = 0; i < started.size(); i++) {
            assertThat(requested.get(i)).isNotNegative();
            assertThat(launched.get(i)).isGreaterThanOrEqualTo(requested.get(i));
            assertThat(started.get(i)).isGreaterThanOrEqualTo(launched.get(i));
        }
    }

    private static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return "min " + sorted.get(0) + " / median " + sorted.get(sorted.size() / 2) + " / max "
                + sorted.get(sorted.size() - 1) + " ms (n=" + sorted.size() + ")";
    }

    private static long millis(Instant from, Object to) {
        return to == null ? -1 : Duration.between(from, ((Timestamp) to).toInstant()).toMillis();
    }

    @Test
    void failingJobIsRetriedUpToItsLimitThenTheProcessFailsWithTheJobsErrorText() throws Exception {
        JsonNode accepted = harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"it-first",
                 "params":{"behaviour":"fail","errorClass":"TRANSIENT","message":"disk on fire"},
                 "webhookUrl":"%s"}""".formatted(webhooks.url("/hooks/failing")));
        String id = accepted.get("id").asText();

        JsonNode failed = awaitState(apiKey, id, "FAILED");

        JsonNode step = failed.get("steps").get(0);
        assertThat(step.get("attempts").asInt()).isEqualTo(3);
        assertThat(step.get("attemptHistory")).extracting(a -> a.get("state").asText())
                .containsExactly("FAILED", "FAILED", "FAILED");
        assertThat(failed.get("error").get("errorClass").asText()).isEqualTo("TRANSIENT");
        assertThat(failed.get("error").get("message").asText()).contains("disk on fire (attempt 3)")
                .contains("failed after 3 attempts");
        await().atMost(LONG).untilAsserted(() -> assertThat(webhooks.callsTo("/hooks/failing")).hasSize(1));
        assertThat(webhooks.callsTo("/hooks/failing").get(0).body()).contains("process.failed").contains("disk on fire");
    }

    @Test
    void nonRetryableFailureIsNotRetriedAndATransientOneRecovers() throws Exception {
        String invalid = harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"it-first",
                 "params":{"behaviour":"fail","errorClass":"INVALID_DATA","message":"bad rows"}}""").get("id").asText();
        String flaky = harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"it-first",
                 "params":{"behaviour":"succeed","failTimes":1}}""").get("id").asText();

        assertThat(awaitState(apiKey, invalid, "FAILED").get("steps").get(0).get("attempts").asInt()).isEqualTo(1);
        JsonNode recovered = awaitState(apiKey, flaky, "SUCCEEDED");
        assertThat(recovered.get("steps").get(0).get("attemptHistory")).extracting(a -> a.get("state").asText())
                .containsExactly("FAILED", "SUCCEEDED");
    }

    @Test
    void cancelStopsTheRunningJob() throws Exception {
        String id = harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"it-first",
                 "params":{"behaviour":"slow","sleepMs":120000}}""").get("id").asText();
        awaitState(apiKey, id, "RUNNING");
        // The local backend records each job's pid in its work dir.
        Path pidFile = harness.workDir.resolve("jobs").resolve(JobId.of(id, 1, 1).value()).resolve("pid");
        await().atMost(LONG).until(() -> Files.isRegularFile(pidFile) && !Files.readString(pidFile).isBlank());
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(alive(pid)).isTrue();

        assertThat(harness.post("/v1/processes/" + id + "/cancel", apiKey, "{\"reason\":\"changed my mind\"}").statusCode())
                .isEqualTo(202);

        await().atMost(LONG).until(() -> !alive(pid));
        JsonNode cancelled = harness.process(apiKey, id);
        assertThat(cancelled.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("steps").get(0).get("attemptHistory").get(0).get("state").asText()).isEqualTo("CANCELLED");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void publishedSnapshotStartsTheSubscribedPipeline() throws Exception {
        assertThat(harness.post("/v1/subscriptions", apiKey, """
                {"entity":"invoices","pipeline":"it-two-steps","params":{"it-first":{"behaviour":"succeed"}}}""")
                .statusCode()).isEqualTo(201);
        SnapshotRef ref = new SnapshotRef(tenant, "invoices", "2026-11-20");
        harness.commitRawSnapshot(ref);
        // Kafka carries no API key: the publisher is a sender registered for the tenant and signs the event.
        HttpResponse<String> sender = harness.post("/v1/admin/senders", EndToEndHarness.ADMIN_TOKEN,
                "{\"id\":\"publisher-" + tenant + "\",\"tenants\":[\"" + tenant + "\"]}");
        assertThat(sender.statusCode()).as(sender.body()).isEqualTo(201);
        CloudEvent published = EventSignatures.sign(Events.newEvent(new SnapshotPublished(tenant, "invoices", "2026-11-20",
                StorageLayout.rawSnapshotManifestKey(ref), 2L, Instant.now())).source(EventSources.CLI).build(),
                "publisher-" + tenant, EndToEndHarness.JSON.readTree(sender.body()).get("signingSecret").asText());

        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", tenant + "/invoices").writeBinary(published)).get();
        }

        await().atMost(LONG).untilAsserted(() -> assertThat(harness.count("""
                SELECT count(*) FROM processes WHERE tenant_id = ? AND entity = 'invoices' AND origin = 'subscription'
                AND state = 'SUCCEEDED' AND data_version = '2026-11-20'""", tenant)).isEqualTo(1));
    }

    @Test
    void jobMessageDeliveredTwiceStartsOneJob() throws Exception {
        String id = harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"it-first","params":{"behaviour":"succeed"}}""")
                .get("id").asText();
        awaitState(apiKey, id, "SUCCEEDED");
        String jobId = JobId.of(id, 1, 1).value();
        assertThat(harness.jobStarts(jobId)).isEqualTo(1);

        ConsumerRecord<String, byte[]> original = findJobMessage(jobId);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            ProducerRecord<String, byte[]> again = new ProducerRecord<>("snapflow-jobs", null, original.key(),
                    original.value(), original.headers());
            producer.send(again).get();
        }

        // Launch must have consumed the redelivery: its consumer group's offset passes it.
        await().atMost(LONG).until(() -> launchConsumedPast(original.partition(), original.offset() + 1));
        assertThat(harness.jobStarts(jobId)).isEqualTo(1);
        assertThat(harness.count("SELECT count(*) FROM attempts WHERE process_id = ?", UUID.fromString(id))).isEqualTo(1);
    }

    private ConsumerRecord<String, byte[]> findJobMessage(String jobId) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.stack.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "find-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of("snapflow-jobs"));
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            await().atMost(LONG).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    CloudEvent event = KafkaMessageFactory.createReader(record).toEvent();
                    if (event.getId().equals("job-requested-" + jobId)) {
                        found.add(record);
                    }
                });
                return !found.isEmpty();
            });
            return found.get(0);
        }
    }

    private boolean launchConsumedPast(int partition, long offset) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                harness.stack.kafka().bootstrapServers()))) {
            var offsets = admin.listConsumerGroupOffsets("snapflow-launch").partitionsToOffsetAndMetadata().get();
            var committed = offsets.get(new org.apache.kafka.common.TopicPartition("snapflow-jobs", partition));
            return committed != null && committed.offset() > offset;
        }
    }

    @Test
    void acceptedProcessSurvivesACrashBetweenCommitAndPublish() throws Exception {
        // validate commits the process but cannot reach the broker (its publish right after commit fails), then
        // dies. The committed outbox row is all that is left of the event; a relay (of any function) publishes it.
        harness.plane.restart("validate", Map.of("SNAPFLOW_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "SNAPFLOW_OUTBOX_RELAY_INTERVAL", "1h"));
        String id;
        try {
            id = harness.submit(apiKey, """
                    {"entity":"orders","dataVersion":"2026-11-21","action":"it-first","params":{"behaviour":"succeed"}}""")
                    .get("id").asText();
            harness.plane.function("validate").kill();
        } finally {
            harness.plane.restart("validate", Map.of());
        }
        assertThat(harness.validateLog()).contains("could not publish right after commit");

        awaitState(apiKey, id, "SUCCEEDED");
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE event_id = ? AND published_at IS NOT NULL",
                "process-accepted-" + id)).isEqualTo(1);
    }

    @Test
    void tenantLimitHoldsJobsBackAndReleasesThemAsSlotsFree() throws Exception {
        String limited = "lim-" + UUID.randomUUID().toString().substring(0, 8);
        String key = harness.createTenant(limited, 1).get("apiKey").asText();
        harness.commitRawSnapshot(new SnapshotRef(limited, "orders", "v1"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(harness.submit(key, """
                    {"entity":"orders","dataVersion":"v1","action":"it-first","params":{"behaviour":"slow","sleepMs":1500}}""")
                    .get("id").asText());
        }
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger mostWaiting = new AtomicInteger();

        await().atMost(LONG).pollInterval(Duration.ofMillis(100)).until(() -> {
            long active = harness.count("""
                    SELECT count(*) FROM steps s JOIN processes p ON p.id = s.process_id
                    WHERE p.tenant_id = ? AND s.state IN ('LAUNCHING', 'RUNNING')""", limited);
            long waiting = harness.count("""
                    SELECT count(*) FROM steps s JOIN processes p ON p.id = s.process_id
                    WHERE p.tenant_id = ? AND s.state = 'QUEUED'""", limited);
            mostAtOnce.accumulateAndGet((int) active, Math::max);
            mostWaiting.accumulateAndGet((int) waiting, Math::max);
            return harness.count("SELECT count(*) FROM processes WHERE tenant_id = ? AND state = 'SUCCEEDED'", limited) == 3;
        });

        assertThat(mostAtOnce.get()).isEqualTo(1);
        assertThat(mostWaiting.get()).isGreaterThanOrEqualTo(1);
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }
}
