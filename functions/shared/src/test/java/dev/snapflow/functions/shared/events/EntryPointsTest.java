package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.security.TestIssuer;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both entry points (Knative HTTP and local Kafka) reach the same handler and map its outcomes alike; a function
 * on the Kafka transport serves no {@code POST /} at all.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EntryPointsTest {
    private static final String AUDIENCE = "entry-points-test";

    /** On the Kafka transport. */
    private EmbeddedServer server;
    private ScriptedHandler handler;
    /** On the HTTP transport (Knative), trusting {@link #issuer}. */
    private EmbeddedServer httpServer;
    private ScriptedHandler httpHandler;
    private TestIssuer issuer;
    private LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(LocalStack stack) {
        this.stack = stack;
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "scripted-handler.enabled", "true",
                "kafka.bootstrap.servers", stack.kafka().bootstrapServers(),
                "snapflow.events.transport", "kafka",
                "snapflow.events.consumer-group", "entry-points-test-" + UUID.randomUUID(),
                "snapflow.events.retry.initial-delay", "100ms",
                "datasources.default.url", stack.database().jdbcUrl(),
                "datasources.default.username", stack.database().username(),
                "datasources.default.password", stack.database().password()));
        handler = server.getApplicationContext().getBean(ScriptedHandler.class);

        issuer = TestIssuer.start();
        Map<String, Object> http = new HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "scripted-handler.enabled", "true",
                "kafka.bootstrap.servers", stack.kafka().bootstrapServers(),
                "snapflow.events.transport", "http",
                "snapflow.events.sink", "http://127.0.0.1:9/",
                "snapflow.events.consumer-group", "entry-points-http-test",
                "datasources.default.url", stack.database().jdbcUrl(),
                "datasources.default.username", stack.database().username(),
                "datasources.default.password", stack.database().password()));
        http.putAll(issuer.properties(AUDIENCE, TestIssuer.TRIGGER_SUBJECT));
        httpServer = ApplicationContext.run(EmbeddedServer.class, http);
        httpHandler = httpServer.getApplicationContext().getBean(ScriptedHandler.class);
    }

    @AfterAll
    void stop() {
        server.getApplicationContext().close();
        httpServer.getApplicationContext().close();
        issuer.close();
    }

    private static CloudEvent event(String script) {
        return CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withSource(URI.create("/test"))
                .withType(ScriptedHandler.TYPE).withExtension("partitionkey", "t/e")
                .withData("text/plain", script.getBytes(StandardCharsets.UTF_8)).build();
    }

    private HttpRequest.Builder authenticated() {
        return HttpRequest.newBuilder(httpServer.getURI().resolve("/"))
                .header("Authorization", "Bearer " + issuer.token(TestIssuer.TRIGGER_SUBJECT, AUDIENCE));
    }

    private HttpResponse<String> postBinary(CloudEvent event) throws Exception {
        HttpRequest.Builder request = authenticated();
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void sendToKafka(CloudEvent event) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", "t/e").writeBinary(event)).get();
        }
    }

    @Test
    void eventReachesTheSameHandlerOverHttpAndOverKafka() throws Exception {
        CloudEvent overHttp = event("done");
        CloudEvent overKafka = event("done");

        assertThat(postBinary(overHttp).statusCode()).isEqualTo(202);
        sendToKafka(overKafka);

        await().atMost(Duration.ofSeconds(60)).until(() -> handler.deliveriesOf(overKafka.getId()) == 1);
        assertThat(httpHandler.deliveriesOf(overHttp.getId())).isEqualTo(1);
    }

    @Test
    void kafkaTransportServesNoHttpEventEntry() throws Exception {
        CloudEvent event = event("done");
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve("/"));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);

        HttpResponse<String> response = http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isIn(404, 405);
        assertThat(handler.deliveriesOf(event.getId())).isZero();
    }

    @Test
    void structuredModeIsAcceptedToo() throws Exception {
        CloudEvent event = event("done");
        byte[] json = io.cloudevents.core.provider.EventFormatProvider.getInstance()
                .resolveFormat(io.cloudevents.jackson.JsonFormat.CONTENT_TYPE).serialize(event);
        HttpResponse<String> response = http.send(authenticated()
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(httpHandler.deliveriesOf(event.getId())).isEqualTo(1);
    }

    @Test
    void httpMapsRetryTo503AndRejectTo400Problem() throws Exception {
        HttpResponse<String> retry = postBinary(event("retry-1"));
        HttpResponse<String> reject = postBinary(event("reject"));

        assertThat(retry.statusCode()).isEqualTo(503);
        assertThat(reject.statusCode()).isEqualTo(400);
        assertThat(reject.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(reject.body()).contains("scripted rejection");
    }

    @Test
    void httpMapsBackPressureTo429() throws Exception {
        HttpResponse<String> held = postBinary(event("hold"));
        assertThat(held.statusCode()).isEqualTo(429);
        assertThat(held.body()).contains("scripted back-pressure");
    }

    @Test
    void malformedCloudEventIsRefusedBeforeAnyHandler() throws Exception {
        int before = httpHandler.deliveries.size();
        HttpResponse<String> response = http.send(authenticated()
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(httpHandler.deliveries).hasSize(before);
    }

    @Test
    void kafkaRedeliversARetriedEventUntilItIsDone() throws Exception {
        CloudEvent event = event("retry-2");
        sendToKafka(event);
        await().atMost(Duration.ofSeconds(60)).until(() -> handler.deliveriesOf(event.getId()) == 3);
    }

    @Test
    void kafkaHandlesARetriedEventBeforeTheOnesAfterItAndCommitsPastAllOfThem() throws Exception {
        CloudEvent before = event("done");
        CloudEvent retried = event("retry-2");
        CloudEvent after = event("done");
        org.apache.kafka.clients.producer.RecordMetadata last;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            // One key, so one partition and one poll for all three: offsets are committed per poll.
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", "t/e").writeBinary(before));
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", "t/e").writeBinary(retried));
            last = producer.send(KafkaMessageFactory.createWriter("snapflow-events", "t/e").writeBinary(after)).get();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> handler.deliveriesOf(after.getId()) == 1);
        List<String> ours = handler.deliveries.stream()
                .filter(id -> List.of(before.getId(), retried.getId(), after.getId()).contains(id)).toList();
        assertThat(ours).containsExactly(before.getId(), retried.getId(), retried.getId(), retried.getId(), after.getId());
        String group = server.getApplicationContext().getProperty("snapflow.events.consumer-group", String.class).orElseThrow();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.<String, Object>of(
                "bootstrap.servers", stack.kafka().bootstrapServers()))) {
            var partition = new org.apache.kafka.common.TopicPartition("snapflow-events", last.partition());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
                assertThat(committed).isNotNull();
                assertThat(committed.offset()).isGreaterThan(last.offset());
            });
        }
    }

    @Test
    void kafkaSendsARejectedEventToTheDeadLetterTopicWithTheReason() throws Exception {
        CloudEvent event = event("reject");
        sendToKafka(event);

        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dead-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("snapflow-dead-letter"));
            List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(record -> {
                    if (KafkaMessageFactory.createReader(record).toEvent().getId().equals(event.getId())) {
                        dead.add(record);
                    }
                });
                return !dead.isEmpty();
            });
            assertThat(new String(dead.get(0).headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo("scripted rejection");
        }
        assertThat(handler.deliveriesOf(event.getId())).isEqualTo(1);
    }
}
