package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.events.EventSignatures;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessAccepted;
import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.contracts.events.SnapshotPublished;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidateFunctionTest {
    /** Valid params of the refresh pipeline, keyed by its actions (the schemas are spark-jobs'). */
    private static final String REFRESH_PARAMS = """
            {"clean":{"schema":[{"name":"id","type":"bigint","nullable":false},{"name":"amount","type":"decimal(12,2)"}]},
             "aggregate":{"aggregations":[{"function":"count","as":"orders"},{"function":"sum","column":"amount","as":"total"}]}}""";

    private ValidateHarness validate;
    private EventsTap events;
    private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;
    private final SnapshotRef snapshot = new SnapshotRef(tenant, "orders", "2026-11-01");

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        validate = new ValidateHarness(stack, Map.of());
        events = new EventsTap(stack.kafka().bootstrapServers(), "snapflow-events");
        apiKey = validate.createTenant(tenant)[0];
        validate.commitRawSnapshot(snapshot);
    }

    @AfterAll
    void stop() {
        events.close();
        validate.close();
    }

    private HttpResponse<String> submit(String body, String... headers) throws Exception {
        return validate.post("/v1/processes", apiKey, "application/json", body, headers);
    }

    private long processesOfTenant() throws Exception {
        return validate.count("SELECT count(*) FROM processes WHERE tenant_id = ?", tenant);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ValidateHarness.JSON.readTree(response.body());
    }

    @Test
    void acceptedProcessIsStoredWithItsStepsAndAnnouncedOnTheEventsTopic() throws Exception {
        HttpResponse<String> response = submit("""
                {"entity":"orders","dataVersion":"2026-11-01","pipeline":"refresh",
                 "params":%s,"webhookUrl":"http://127.0.0.1:1/hook"}""".formatted(REFRESH_PARAMS));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode process = json(response);
        String id = process.get("id").asText();
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/processes/" + id);
        assertThat(process.get("state").asText()).isIn("ACCEPTED", "QUEUED");
        assertThat(process.get("steps")).extracting(step -> step.get("action").asText())
                .containsExactly("ingest", "clean", "aggregate");
        assertThat(process.get("steps").get(0).get("inputManifest").asText())
                .isEqualTo("s3://snapflow/" + StorageLayout.rawSnapshotManifestKey(snapshot));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var accepted = events.poll(e -> e.getType().equals(EventTypes.PROCESS_ACCEPTED) && id.equals(e.getSubject()));
            assertThat(accepted).hasSize(1);
            assertThat(accepted.get(0).key()).isEqualTo(tenant + "/orders");
            ProcessAccepted data = Events.read(accepted.get(0).value(), ProcessAccepted.class);
            assertThat(data.steps().get(1).params()).containsKey("schema");
            assertThat(data.steps().get(2).params()).containsKey("aggregations");
        });
        assertThat(validate.count("SELECT count(*) FROM outbox WHERE event_id = ? AND published_at IS NOT NULL",
                "process-accepted-" + id)).isEqualTo(1);
    }

    @Test
    void latestResolvesToTheConcreteVersionAtAcceptance() throws Exception {
        HttpResponse<String> response = submit("{\"entity\":\"orders\",\"dataVersion\":\"latest\",\"action\":\"ingest\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(json(response).get("dataVersion").asText()).isEqualTo("2026-11-01");
        assertThat(json(response).get("requestedVersion").asText()).isEqualTo("latest");
    }

    @Test
    void sameIdempotencyKeyAndBodyReturnTheOriginalProcessAndADifferentBodyConflicts() throws Exception {
        String body = "{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\"}";
        HttpResponse<String> first = submit(body, "Idempotency-Key", "key-1");
        HttpResponse<String> again = submit(body, "Idempotency-Key", "key-1");
        HttpResponse<String> different = submit(body.replace("}", ",\"params\":{\"onMalformed\":\"fail\"}}"),
                "Idempotency-Key", "key-1");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("id")).isEqualTo(json(first).get("id"));
        assertThat(different.statusCode()).isEqualTo(409);
        assertThat(json(different).get("field").asText()).isEqualTo("Idempotency-Key");
        assertThat(validate.count("SELECT count(*) FROM processes WHERE tenant_id = ? AND idempotency_key = 'key-1'", tenant))
                .isEqualTo(1);
    }

    private void assertProblem(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).get("field").asText()).isEqualTo(field);
    }

    @Test
    void everyKindOfBadRequestIsRefusedWithAProblemNamingTheFieldAndLeavesNoRow() throws Exception {
        long before = processesOfTenant();
        assertProblem(submit("{\"entity\":\"orders\","), 400, "body");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\",\"colour\":\"red\"}"), 400, "colour");
        assertProblem(submit("{\"dataVersion\":\"v1\",\"action\":\"ingest\"}"), 400, "entity");
        assertProblem(submit("{\"entity\":\"orders\",\"action\":\"ingest\"}"), 400, "dataVersion");
        HttpResponse<String> unknownAction = submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"explode\"}");
        assertProblem(unknownAction, 422, "action");
        assertThat(json(unknownAction).get("detail").asText()).contains("aggregate, clean, compact, ingest");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\",\"params\":{\"onMalformed\":\"explode\"}}"),
                422, "params.onMalformed");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"clean\",\"params\":{}}"),
                422, "params.schema");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"pipeline\":\"refresh\",\"params\":"
                + REFRESH_PARAMS.replace("\"aggregations\":", "\"bogus\":1,\"aggregations\":") + "}"),
                422, "params.aggregate.bogus");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"pipeline\":\"refresh\",\"params\":{\"transmogrify\":{}}}"),
                422, "params.transmogrify");
        assertProblem(submit("{\"entity\":\"../etc\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\"}"), 422, "entity");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"a/b\",\"action\":\"ingest\"}"), 422, "dataVersion");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"1999-01-01\",\"action\":\"ingest\"}"), 422, "dataVersion");
        assertProblem(submit("{\"entity\":\"nothing-here\",\"dataVersion\":\"latest\",\"action\":\"ingest\"}"), 422, "dataVersion");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\",\"params\":{\"x\":\""
                + "y".repeat(5000) + "\"}}"), 413, "body");
        assertProblem(validate.post("/v1/processes", apiKey, "text/plain", "entity=orders"), 415, "Content-Type");
        assertProblem(validate.post("/v1/processes", null, "application/json", "{}"), 401, "Authorization");
        assertProblem(validate.post("/v1/processes", "sfk_forged", "application/json", "{}"), 401, "Authorization");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void concurrentSubmissionsAreEachMarkedPublishedBeforeTheirAnswerAndAnnouncedOnce() throws Exception {
        List<java.util.concurrent.Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 24; i++) {
                answers.add(clients.submit(() -> submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\"}")));
            }
        }
        List<String> ids = new ArrayList<>();
        for (var answer : answers) {
            assertThat(answer.get().statusCode()).as(answer.get().body()).isEqualTo(201);
            ids.add(json(answer.get()).get("id").asText());
        }

        // The relay's shared rounds publish each caller's row before its answer: nothing is left for the timer.
        for (String id : ids) {
            assertThat(validate.count("SELECT count(*) FROM outbox WHERE event_id = ? AND published_at IS NOT NULL",
                    "process-accepted-" + id)).as(id).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var accepted = events.poll(e -> e.getType().equals(EventTypes.PROCESS_ACCEPTED) && ids.contains(e.getSubject()));
            assertThat(accepted).extracting(e -> e.value().getSubject()).containsExactlyInAnyOrderElementsOf(ids);
        });
    }

    @Test
    void aRevokedApiKeyIsRefusedWithinTheIntervalItIsRemembered() throws Exception {
        String revokedTenant = "r-" + UUID.randomUUID().toString().substring(0, 8);
        String key = validate.createTenant(revokedTenant)[0];
        assertThat(validate.get("/v1/processes", key).statusCode()).isEqualTo(200);

        validate.update("UPDATE api_keys SET revoked_at = now() WHERE tenant_id = ?", revokedTenant);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertProblem(validate.get("/v1/processes", key), 401, "Authorization"));
    }

    @Test
    void anotherTenantsProcessIsNotFound() throws Exception {
        String id = json(submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\"}")).get("id").asText();
        String otherKey = validate.createTenant("o-" + UUID.randomUUID().toString().substring(0, 8))[0];

        assertProblem(validate.get("/v1/processes/" + id, otherKey), 404, "id");
        assertProblem(validate.post("/v1/processes/" + id + "/cancel", otherKey, null, ""), 404, "id");
        assertThat(validate.get("/v1/processes/" + id, apiKey).statusCode()).isEqualTo(200);
    }

    @Test
    void listingPagesThroughAnEntitysProcessesNewestFirstWithACursor() throws Exception {
        SnapshotRef ref = new SnapshotRef(tenant, "listed", "v1");
        validate.commitRawSnapshot(ref);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(0, json(submit("{\"entity\":\"listed\",\"dataVersion\":\"v1\",\"action\":\"ingest\"}")).get("id").asText());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(validate.get("/v1/processes?entity=listed&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), apiKey));
            page.get("items").forEach(item -> seen.add(item.get("id").asText()));
            cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
        } while (cursor != null);

        assertThat(seen).containsExactlyElementsOf(created);
        assertProblem(validate.get("/v1/processes?limit=0", apiKey), 400, "limit");
        assertProblem(validate.get("/v1/processes?cursor=garbage", apiKey), 400, "cursor");
    }

    @Test
    void cancelledProcessIsTerminalAndAnnouncedOnce() throws Exception {
        String id = json(submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-01\",\"action\":\"ingest\"}")).get("id").asText();

        HttpResponse<String> cancelled = validate.post("/v1/processes/" + id + "/cancel", apiKey, null, "");
        HttpResponse<String> again = validate.post("/v1/processes/" + id + "/cancel", apiKey, null, "");

        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(202);
        assertThat(json(cancelled).get("state").asText()).isEqualTo("CANCELLED");
        assertThat(json(cancelled).get("steps").get(0).get("state").asText()).isEqualTo("CANCELLED");
        assertThat(again.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                events.poll(e -> e.getType().equals(EventTypes.PROCESS_CANCELLED) && id.equals(e.getSubject()))).hasSize(1));
    }

    @Test
    void malformedCloudEventIsRefusedAndStoresNothing() throws Exception {
        long before = processesOfTenant();
        HttpResponse<String> response = validate.send(HttpRequest.newBuilder(validate.uri("/v1/events"))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json").header("ce-type", EventTypes.PROCESS_REQUESTED)
                .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"" + tenant + "\"}")).build());

        assertProblem(response, 400, "ce-specversion");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void cloudEventsPostedToTheRootAreNotServedOnTheKafkaTransportAndStoreNothing() throws Exception {
        long before = processesOfTenant();
        CloudEvent event = Events.newEvent(new ProcessRequested(tenant, "orders", "2026-11-01", "ingest", null,
                Map.of(), null, "posted-to-root")).source(EventSources.CLI).build();

        HttpRequest.Builder request = HttpRequest.newBuilder(validate.uri("/"));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
        HttpResponse<String> response = validate.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build());

        // The functions consume Kafka: nothing is delivered over HTTP, so there is no POST / to forge events on.
        assertThat(response.statusCode()).isIn(404, 405);
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void readsTheDeliveryAuthenticationBlockOfItsApplicationYml() {
        var context = validate.server.getApplicationContext();
        assertThat(context.getProperty("snapflow.oidc.clock-skew", String.class)).hasValue("30s");
        assertThat(context.getProperty("snapflow.oidc.jwks-refresh-min-interval", String.class)).hasValue("30s");
        assertThat(context.containsProperty("snapflow.events.sink-auth.token-file")).isTrue();
        // Not on the Kafka transport: nothing there is delivered over HTTP.
        assertThat(context.containsBean(dev.snapflow.functions.shared.security.DeliveryAuthenticator.class)).isFalse();
    }

    @Test
    void listensOnLoopbackOnlyByDefault() throws Exception {
        assertThat(validate.uri("/").getHost()).isEqualTo("127.0.0.1");
        java.net.InetAddress external = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(nic -> java.util.Collections.list(nic.getInetAddresses()).stream())
                .filter(address -> address instanceof java.net.Inet4Address && !address.isLoopbackAddress())
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "this machine has no non-loopback IPv4 address");
        try (java.net.Socket socket = new java.net.Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> socket.connect(
                    new java.net.InetSocketAddress(external, validate.uri("/").getPort()), 2000))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void invalidProcessRequestedEventIsRejectedWithTheFieldAndStoresNothing() throws Exception {
        long before = processesOfTenant();
        CloudEvent event = Events.newEvent(new ProcessRequested(tenant, "orders", "2026-11-01", "explode", null,
                Map.of(), null, null)).source(EventSources.CLI).build();

        HttpResponse<String> response = postBinary(event);

        assertProblem(response, 422, "action");
        assertThat(json(response).get("detail").asText()).contains("explode");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void processRequestedReachesTheSameHandlerOverHttpAndOverKafka() throws Exception {
        CloudEvent overHttp = Events.newEvent(new ProcessRequested(tenant, "orders", "2026-11-01", "ingest", null,
                Map.of(), null, "via-http")).source(EventSources.CLI).build();
        // Kafka carries no API key: the event is signed by a sender registered for the tenant.
        HttpResponse<String> sender = validate.post("/v1/admin/senders", ValidateHarness.ADMIN_TOKEN, "application/json",
                "{\"id\":\"sender-" + tenant + "\",\"tenants\":[\"" + tenant + "\"]}");
        assertThat(sender.statusCode()).as(sender.body()).isEqualTo(201);
        CloudEvent overKafka = EventSignatures.sign(Events.newEvent(new ProcessRequested(tenant, "orders", "2026-11-01",
                "ingest", null, Map.of(), null, "via-kafka")).source(EventSources.CLI).build(), "sender-" + tenant,
                json(sender).get("signingSecret").asText());

        assertThat(postBinary(overHttp).statusCode()).isEqualTo(202);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, validate.stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", tenant + "/orders").writeBinary(overKafka)).get();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(validate.count(
                "SELECT count(*) FROM processes WHERE tenant_id = ? AND idempotency_key IN ('via-http', 'via-kafka') AND origin = 'event'",
                tenant)).isEqualTo(2));
        // Redelivery names the same process.
        assertThat(postBinary(overHttp).statusCode()).isEqualTo(202);
        assertThat(validate.count("SELECT count(*) FROM processes WHERE tenant_id = ? AND idempotency_key = 'via-http'", tenant))
                .isEqualTo(1);
    }

    @Test
    void publishedSnapshotStartsTheSubscribedPipelineOncePerVersion() throws Exception {
        HttpResponse<String> subscribed = validate.post("/v1/subscriptions", apiKey, "application/json",
                "{\"entity\":\"invoices\",\"pipeline\":\"refresh\",\"params\":" + REFRESH_PARAMS + "}");
        assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(201);
        assertProblem(validate.post("/v1/subscriptions", apiKey, "application/json",
                "{\"entity\":\"invoices\",\"pipeline\":\"nope\"}"), 422, "pipeline");
        SnapshotRef ref = new SnapshotRef(tenant, "invoices", "2026-11-02");
        validate.commitRawSnapshot(ref);
        CloudEvent published = Events.newEvent(new SnapshotPublished(tenant, "invoices", "2026-11-02",
                StorageLayout.rawSnapshotManifestKey(ref), 2L, Instant.now())).source(EventSources.CLI).build();

        assertThat(postBinary(published).statusCode()).isEqualTo(202);
        assertThat(postBinary(published).statusCode()).isEqualTo(202);

        assertThat(validate.count("SELECT count(*) FROM processes WHERE tenant_id = ? AND entity = 'invoices' "
                + "AND target = 'refresh' AND origin = 'subscription' AND data_version = '2026-11-02'", tenant)).isEqualTo(1);
    }

    @Test
    void healthAndPrometheusEndpointsAnswerOnTheManagementPort() throws Exception {
        assertThat(validate.send(HttpRequest.newBuilder(validate.managementUri("/health")).GET().build()).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = validate.send(HttpRequest.newBuilder(validate.managementUri("/prometheus")).GET().build());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("snapflow_processes");
    }

    /** Posts an event to the public events entry, authenticated with the tenant's API key. */
    private HttpResponse<String> postBinary(CloudEvent event) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(validate.uri("/v1/events")).header("Authorization", "Bearer " + apiKey);
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
        return validate.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build());
    }
}
