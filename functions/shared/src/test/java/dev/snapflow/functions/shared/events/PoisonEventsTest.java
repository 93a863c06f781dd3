package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.DeadLetterStore;
import dev.snapflow.functions.shared.persistence.Outbox;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import dev.snapflow.functions.shared.security.TestIssuer;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Poison is bounded, on real Kafka and PostgreSQL: a partition holding an event that always fails keeps
 * flowing, the event lands in the dead letters with its reason (bounded in size), the outbox sets aside a row
 * the broker refuses and publishes the rows after it, retention removes old published rows, and a replayed
 * dead letter is handled again.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonEventsTest {
    private static final Duration BUDGET_AND_SLACK = Duration.ofSeconds(90);
    private static final String AUDIENCE = "snapflow-poison-test";

    private EmbeddedServer server;
    /** The same function on the HTTP transport (Knative): POST / with an OIDC token of an allowed sender. */
    private EmbeddedServer httpServer;
    private TestIssuer issuer;
    private ScriptedHandler handler;
    private DeadLetterStore deadLetters;
    private OutboxRelay relay;
    private Database database;
    private LocalStack stack;
    private final String key = "poison-" + UUID.randomUUID() + "/orders";

    @BeforeAll
    void start(LocalStack stack) {
        this.stack = stack;
        server = ApplicationContext.run(EmbeddedServer.class, Map.ofEntries(
                Map.entry("micronaut.server.port", -1),
                Map.entry("scripted-handler.enabled", "true"),
                Map.entry("kafka.bootstrap.servers", stack.kafka().bootstrapServers()),
                Map.entry("snapflow.events.transport", "kafka"),
                Map.entry("snapflow.events.consumer-group", "poison-test-" + UUID.randomUUID()),
                Map.entry("snapflow.events.retry.initial-delay", "100ms"),
                Map.entry("snapflow.events.retry.max-delay", "400ms"),
                Map.entry("snapflow.events.retry.unknown-max-attempts", "3"),
                Map.entry("snapflow.events.retry.max-dead-letter-bytes", "65536"),
                Map.entry("snapflow.dead-letters.record", "true"),
                // the timer stays out of the way: the tests call the relay themselves
                Map.entry("snapflow.outbox.relay-interval", "1h"),
                Map.entry("flyway.datasources.default.enabled", "true"),
                Map.entry("flyway.datasources.default.locations", "classpath:db/migration"),
                Map.entry("datasources.default.url", stack.database().jdbcUrl()),
                Map.entry("datasources.default.username", stack.database().username()),
                Map.entry("datasources.default.password", stack.database().password())));
        handler = server.getApplicationContext().getBean(ScriptedHandler.class);
        deadLetters = server.getApplicationContext().getBean(DeadLetterStore.class);
        relay = server.getApplicationContext().getBean(OutboxRelay.class);
        database = server.getApplicationContext().getBean(Database.class);

        issuer = TestIssuer.start();
        Map<String, Object> http = new HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "scripted-handler.enabled", "true",
                "snapflow.events.transport", "http",
                "snapflow.events.sink", "http://127.0.0.1:9/",
                "snapflow.events.consumer-group", "poison-http-test",
                "snapflow.outbox.relay-interval", "1h",
                "snapflow.dead-letters.record", "true",
                "datasources.default.url", stack.database().jdbcUrl(),
                "datasources.default.username", stack.database().username(),
                "datasources.default.password", stack.database().password()));
        http.putAll(issuer.properties(AUDIENCE, TestIssuer.TRIGGER_SUBJECT));
        httpServer = ApplicationContext.run(EmbeddedServer.class, http);
    }

    @AfterAll
    void stop() {
        server.getApplicationContext().close();
        httpServer.getApplicationContext().close();
        issuer.close();
    }

    private static CloudEvent event(String key, String script) {
        return event(key, script.getBytes(StandardCharsets.UTF_8));
    }

    private static CloudEvent event(String key, byte[] data) {
        return CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withSource(URI.create("/test"))
                .withType(ScriptedHandler.TYPE).withExtension("partitionkey", key)
                .withData("text/plain", data).build();
    }

    private void send(CloudEvent... events) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (CloudEvent event : events) {
                producer.send(KafkaMessageFactory.createWriter("snapflow-events",
                        (String) event.getExtension("partitionkey")).writeBinary(event)).get();
            }
        }
    }

    private Optional<DeadLetterStore.Entry> deadLetterOf(String eventId) {
        return deadLetters.list(1000, true).stream()
                .filter(entry -> entry.kind().equals("dead-letter") && eventId.equals(entry.eventId())).findFirst();
    }

    @Test
    void aPartitionWithAnEventThatAlwaysFailsKeepsFlowingAndTheEventIsDeadLetteredWithItsReason() throws Exception {
        CloudEvent poison = event(key, "throw-unknown");
        CloudEvent next = event(key, "done");
        send(poison, next);

        await().atMost(BUDGET_AND_SLACK).until(() -> handler.deliveriesOf(next.getId()) == 1);
        assertThat(handler.deliveriesOf(poison.getId())).isEqualTo(3);
        await().atMost(BUDGET_AND_SLACK).until(() -> deadLetterOf(poison.getId()).isPresent());
        DeadLetterStore.Entry dead = deadLetterOf(poison.getId()).orElseThrow();
        assertThat(dead.reason()).contains("unknown").contains("IllegalStateException").contains("scripted bug")
                .contains("budget");
        assertThat(dead.partitionKey()).isEqualTo(key);
        assertThat(dead.truncated()).isFalse();
    }

    @Test
    void dataTheDatabaseRefusesIsDeadLetteredAtTheFirstFailure() throws Exception {
        CloudEvent poison = event(key, "throw-nul");
        CloudEvent next = event(key, "done");
        send(poison, next);

        await().atMost(BUDGET_AND_SLACK).until(() -> handler.deliveriesOf(next.getId()) == 1);
        await().atMost(BUDGET_AND_SLACK).until(() -> deadLetterOf(poison.getId()).isPresent());
        assertThat(handler.deliveriesOf(poison.getId())).isEqualTo(1);
        assertThat(deadLetterOf(poison.getId()).orElseThrow().reason()).startsWith("permanent:").contains("0x00");
    }

    @Test
    void aDeadLetterLargerThanItsLimitIsStoredTruncatedWithItsSizeAndDigestAndCannotBeReplayed() throws Exception {
        byte[] data = new byte[200_000];
        Arrays.fill(data, (byte) 'x');
        System.arraycopy("reject".getBytes(StandardCharsets.UTF_8), 0, data, 0, 6);
        CloudEvent big = event(key, data);
        send(big);

        await().atMost(BUDGET_AND_SLACK).until(() -> deadLetterOf(big.getId()).isPresent());
        DeadLetterStore.Entry dead = deadLetterOf(big.getId()).orElseThrow();
        assertThat(dead.truncated()).isTrue();
        assertThat(dead.originalSize()).isEqualTo(200_000);
        DeadLetterStore.Shown shown = deadLetters.show(dead.id()).orElseThrow();
        assertThat(shown.event().length()).isLessThan(65536);
        assertThat(deadLetters.replay(dead.id())).isInstanceOf(DeadLetterStore.NotReplayable.class);
    }

    @Test
    void aReplayedDeadLetterIsRepublishedUnchangedAndHandledAgain() throws Exception {
        CloudEvent once = event(key, "reject-once");
        send(once);
        await().atMost(BUDGET_AND_SLACK).until(() -> deadLetterOf(once.getId()).isPresent());
        String id = deadLetterOf(once.getId()).orElseThrow().id();

        DeadLetterStore.Replay replay = deadLetters.replay(id);
        relay.flush();

        assertThat(replay).isEqualTo(new DeadLetterStore.Replayed(once.getId(), ScriptedHandler.TYPE));
        await().atMost(BUDGET_AND_SLACK).until(() -> handler.deliveriesOf(once.getId()) == 2);
        assertThat(deadLetterOf(once.getId()).orElseThrow().replayedAt()).isNotNull();
        assertThat(deadLetters.list(1000, false)).noneMatch(entry -> entry.id().equals(id));
    }

    @Test
    void overHttpAPermanentFailureIs400SoKnativeDeadLettersItAndAnUnknownOneIs503SoKnativeRetriesIt() throws Exception {
        HttpResponse<String> permanent = postBinary(event(key, "throw-nul"));
        HttpResponse<String> unknown = postBinary(event(key, "throw-unknown"));

        assertThat(permanent.statusCode()).isEqualTo(400);
        assertThat(permanent.body()).contains("permanent").contains("0x00");
        assertThat(unknown.statusCode()).isEqualTo(503);
        assertThat(unknown.body()).contains("unknown").contains("scripted bug");
    }

    private HttpResponse<String> postBinary(CloudEvent event) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(httpServer.getURI().resolve("/"))
                .header("Authorization", "Bearer " + issuer.token(TestIssuer.TRIGGER_SUBJECT, AUDIENCE));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
        return HttpClient.newHttpClient().send(
                request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKnativeDeadLetterPostedToTheHttpEntryIsRecordedWithoutKnativesExtensionsAndReplaysAsTheOriginal()
            throws Exception {
        CloudEvent original = event(key, "done");
        CloudEvent deadLettered = CloudEventBuilder.from(original)
                .withExtension(KnativeDeadLetters.ERROR_DEST, "http://enqueue.snapflow.svc.cluster.local")
                .withExtension(KnativeDeadLetters.ERROR_CODE, "400")
                .withExtension(KnativeDeadLetters.ERROR_DATA, Base64.getEncoder().encodeToString(
                        "{\"detail\":\"process p-1 does not exist\"}".getBytes(StandardCharsets.UTF_8)))
                .build();
        HttpResponse<String> response = postBinary(deadLettered);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(handler.deliveriesOf(original.getId())).isZero();
        DeadLetterStore.Entry dead = deadLetterOf(original.getId()).orElseThrow();
        assertThat(dead.reason()).contains("HTTP 400").contains("enqueue").contains("does not exist");
        assertThat(deadLetters.show(dead.id()).orElseThrow().event()).doesNotContain("knativeerror");

        deadLetters.replay(dead.id());
        relay.flush();
        await().atMost(BUDGET_AND_SLACK).until(() -> handler.deliveriesOf(original.getId()) == 1);
    }

    @Test
    void anOutboxRowTooLargeForTheBrokerIsSetAsideAndTheRowsOfOtherTenantsAfterItArePublished() {
        byte[] huge = new byte[1_200_000];
        Arrays.fill(huge, (byte) 'y');
        CloudEvent tooLarge = event("tenant-a-" + UUID.randomUUID() + "/orders", huge);
        List<CloudEvent> others = List.of(event("tenant-b-" + UUID.randomUUID() + "/orders", "done"),
                event("tenant-c-" + UUID.randomUUID() + "/orders", "done"));
        database.inTransaction(connection -> {
            Outbox.append(connection, tooLarge);
            for (CloudEvent other : others) {
                Outbox.append(connection, other);
            }
            return null;
        });

        relay.flush();

        // at least once: rows sent in the batch of the refused one may go out twice, which handlers tolerate
        for (CloudEvent other : others) {
            await().atMost(BUDGET_AND_SLACK).until(() -> handler.deliveriesOf(other.getId()) >= 1);
        }
        DeadLetterStore.Entry setAside = deadLetters.list(1000, false).stream()
                .filter(entry -> tooLarge.getId().equals(entry.eventId())).findFirst().orElseThrow();
        assertThat(setAside.kind()).isEqualTo("set-aside");
        assertThat(setAside.id()).startsWith("outbox-");
        assertThat(setAside.reason()).startsWith("permanent:").contains("RecordTooLargeException");
        assertThat(setAside.partitionKey()).startsWith("tenant-a-");
        assertThat(handler.deliveriesOf(tooLarge.getId())).isZero();
        // a later flush does not try it again, and does not stop on it
        assertThat(relay.flush()).isZero();
    }

    @Test
    void retentionRemovesPublishedRowsOlderThanItAndKeepsTheRest() {
        CloudEvent old = event(key, "done");
        CloudEvent recent = event(key, "done");
        CloudEvent pending = event(key, "done");
        database.inTransaction(connection -> {
            Outbox.append(connection, old);
            Outbox.append(connection, recent);
            Outbox.append(connection, pending);
            try (PreparedStatement age = connection.prepareStatement(
                    "UPDATE outbox SET published_at = now() - CASE event_id WHEN ? THEN interval '8 days' ELSE interval '6 days' END"
                            + " WHERE event_id IN (?, ?)")) {
                age.setString(1, old.getId());
                age.setString(2, old.getId());
                age.setString(3, recent.getId());
                age.executeUpdate();
            }
            return null;
        });

        assertThat(relay.purgePublished()).isGreaterThanOrEqualTo(1);

        assertThat(outboxHas(old.getId())).isFalse();
        assertThat(outboxHas(recent.getId())).isTrue();
        assertThat(outboxHas(pending.getId())).isTrue();
    }

    private boolean outboxHas(String eventId) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM outbox WHERE event_id = ?")) {
                select.setString(1, eventId);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }
}
