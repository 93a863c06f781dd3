package dev.snapflow.local.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.events.EventSignatures;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.SnapshotPublished;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.controlplane.LocalWiring;
import dev.snapflow.local.sampledata.IndependentRefresh;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
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
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Snapflow as {@code snapflow up} runs it: the local stack, the four functions as separate JVMs from their built
 * jars (local-control-plane, the same {@link LocalWiring}), and launch running the real Spark job as a child JVM.
 */
// Before the classes sharing RunningSnapflow (junit-platform.properties): its own control plane, stopped in @AfterAll.
@Order(2)
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapflowEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PIPELINE_TIMEOUT = Duration.ofMinutes(6);
    private static final String ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef0123456789";

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path root = Path.of(System.getProperty("snapflow.root", "../..")).toAbsolutePath().normalize();
    private Path workDir;
    private ControlPlane plane;
    private S3Client s3;
    private String apiKey;

    SnapflowEndToEndTest(LocalStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    void startTheControlPlane() throws Exception {
        workDir = Files.createTempDirectory("snapflow-e2e-");
        Path jobJar = root.resolve("spark-jobs/target/spark-jobs-0.1.0-SNAPSHOT.jar");
        String jobClasspath = jobJar + File.pathSeparator + "@" + root.resolve("spark-jobs/target/spark-classpath.txt");
        LocalWiring wiring = new LocalWiring(stack.database().jdbcUrl(), stack.database().username(),
                stack.database().password(), stack.kafka().bootstrapServers(), stack.s3().endpoint().toString(),
                stack.s3().region(), stack.s3().bucket(), stack.s3().accessKey(), stack.s3().secretKey(), ADMIN_TOKEN,
                "e2e-callback-hmac-key-0123456789abcdef0123456789", "e2e-api-key-pepper-0123456789abcdef0123456789", jobClasspath, workDir.resolve("jobs"));
        plane = ControlPlane.start(new ControlPlane.Settings(root.resolve("functions"), workDir.resolve("logs"),
                wiring.common(), wiring.perFunction(), Duration.ofMinutes(3)), ControlPlane.FUNCTIONS);
        s3 = stack.s3().newClient();
        apiKey = createTenant("e2e").path("apiKey").asText();
    }

    @AfterAll
    void stopTheControlPlane() {
        if (plane != null) {
            plane.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void refreshOnGeneratedOrdersSucceedsWithGoldEqualToAnIndependentDuckDbComputation(@TempDir Path dir) throws Exception {
        SnapshotRef ref = new SnapshotRef("e2e", "orders", "2026-11-21");
        PublishedSnapshot raw = new SnapshotPublisher(s3, stack.s3().bucket()).publishGenerated(ref, new OrdersSpec(7, 20_000, 2));

        JsonNode accepted = submit("{\"entity\":\"orders\",\"dataVersion\":\"2026-11-21\",\"pipeline\":\"refresh\",\"params\":"
                + refreshParams() + "}");
        JsonNode process = awaitTerminal(accepted.path("id").asText());

        assertThat(process.path("state").asText()).as(process.toPrettyString()).isEqualTo("SUCCEEDED");
        assertThat(process.path("steps")).extracting(step -> step.path("action").asText())
                .containsExactly("ingest", "clean", "aggregate");
        List<Path> rawFiles = download(raw.manifest(), raw.bucket(), dir.resolve("raw"));
        List<Path> goldFiles = download(manifest(process.path("resultManifest").asText()), stack.s3().bucket(), dir.resolve("gold"));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            sql.execute("CREATE TABLE raw AS SELECT * FROM read_csv(" + files(rawFiles)
                    + ", header = true, all_varchar = true, quote = '\"', escape = '\"')");
            sql.execute(IndependentRefresh.CLEAN);
            sql.execute(IndependentRefresh.AGGREGATE);
            sql.execute("CREATE TABLE gold AS SELECT * FROM read_parquet(" + files(goldFiles) + ")");
            long expectedGroups = count(sql, "SELECT count(*) FROM expected_gold");
            assertThat(expectedGroups).isPositive();
            assertThat(count(sql, "SELECT count(*) FROM gold")).isEqualTo(expectedGroups);
            String exact = "country, status, epoch_us(order_day) AS order_day, orders, customers, revenue, min_unit_price, max_unit_price";
            assertThat(count(sql, "SELECT count(*) FROM (SELECT " + exact + " FROM expected_gold EXCEPT ALL SELECT " + exact + " FROM gold)"))
                    .as("groups DuckDB computed that the gold output lacks").isZero();
            assertThat(count(sql, "SELECT count(*) FROM (SELECT " + exact + " FROM gold EXCEPT ALL SELECT " + exact + " FROM expected_gold)"))
                    .as("gold groups DuckDB did not compute").isZero();
            assertThat(count(sql, """
                    SELECT count(*) FROM gold g JOIN expected_gold e
                      ON g.country IS NOT DISTINCT FROM e.country AND g.status IS NOT DISTINCT FROM e.status
                     AND epoch_us(g.order_day) = epoch_us(e.order_day)
                    WHERE abs(CAST(g.avg_order_value AS DOUBLE) - e.avg_order_value) > 0.000001""")).isZero();
        }
        JsonNode clean = process.path("steps").get(1).path("attemptHistory").get(0).path("metrics");
        assertThat(clean.path("rowsIn").asLong()).isEqualTo(20_000);
        assertThat(clean.path("rowsRejected").asLong()).isPositive();
    }

    @Test
    void anUnknownActionGetsItsProblemAndStoresNothing() throws Exception {
        long before = processRows();

        HttpResponse<String> response = post("/v1/processes", apiKey,
                "{\"entity\":\"orders\",\"dataVersion\":\"2026-11-21\",\"action\":\"teleport\",\"params\":{}}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(JSON.readTree(response.body()).path("field").asText()).isEqualTo("action");
        assertThat(processRows()).isEqualTo(before);
    }

    @Test
    void anUnknownProcessIsNotFound() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(api("/v1/processes/00000000-0000-0000-0000-000000000000"))
                .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("title").asText()).isNotBlank();
    }

    @Test
    void aPublishedSnapshotStartsTheSubscribedAction() throws Exception {
        assertThat(post("/v1/subscriptions", apiKey, "{\"entity\":\"customers\",\"action\":\"ingest\",\"params\":{}}")
                .statusCode()).isEqualTo(201);
        SnapshotRef ref = new SnapshotRef("e2e", "customers", "2026-11-22");
        PublishedSnapshot published = new SnapshotPublisher(s3, stack.s3().bucket()).publishGenerated(ref, new OrdersSpec(3, 200, 1));
        // Kafka carries no API key: the publisher is a sender registered for the tenant and signs the event.
        HttpResponse<String> sender = post("/v1/admin/senders", ADMIN_TOKEN, "{\"id\":\"e2e-publisher\",\"tenants\":[\"e2e\"]}");
        assertThat(sender.statusCode()).as(sender.body()).isEqualTo(201);
        CloudEvent event = EventSignatures.sign(Events.newEvent(new SnapshotPublished("e2e", "customers", "2026-11-22",
                published.manifestKey(), published.manifest().rowCount(), Instant.now())).source(EventSources.CLI).build(),
                "e2e-publisher", JSON.readTree(sender.body()).path("signingSecret").asText());

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(KafkaMessageFactory.createWriter("snapflow-events", "e2e/customers").writeBinary(event)).get();
        }

        await().atMost(PIPELINE_TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode items = get("/v1/processes?entity=customers").path("items");
            assertThat(items).hasSize(1);
            assertThat(items.get(0).path("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(items.get(0).path("dataVersion").asText()).isEqualTo("2026-11-22");
        });
    }

    private String refreshParams() throws Exception {
        Path jar = root.resolve("spark-jobs/target/spark-jobs-0.1.0-SNAPSHOT.jar");
        StringBuilder params = new StringBuilder("{");
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(jar)) {
            for (String action : List.of("ingest", "clean", "aggregate")) {
                params.append(params.length() > 1 ? "," : "").append('"').append(action).append("\":")
                        .append(Files.readString(zip.getPath("/params/examples/" + action + ".orders.json")));
            }
        }
        return params.append('}').toString();
    }

    private JsonNode createTenant(String id) throws Exception {
        HttpResponse<String> response = post("/v1/admin/tenants", ADMIN_TOKEN, "{\"id\":\"" + id + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    private JsonNode submit(String body) throws Exception {
        HttpResponse<String> response = post("/v1/processes", apiKey, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    private JsonNode awaitTerminal(String id) {
        return await().atMost(PIPELINE_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> get("/v1/processes/" + id),
                        process -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(process.path("state").asText()));
    }

    private JsonNode get(String path) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + apiKey)
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private HttpResponse<String> post(String path, String bearer, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI api(String path) {
        return URI.create(plane.baseUrl("validate") + path);
    }

    private Manifest manifest(String uri) {
        S3Uri location = S3Uri.parse("manifest", uri);
        return ManifestCodec.fromJson(s3.getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.key())).asByteArray());
    }

    private List<Path> download(Manifest manifest, String bucket, Path dir) throws Exception {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (Manifest.DataFile file : manifest.files()) {
            Path local = dir.resolve(files.size() + "-" + Path.of(file.key()).getFileName());
            s3.getObject(b -> b.bucket(bucket).key(file.key()), local);
            files.add(local);
        }
        return files;
    }

    private long processRows() throws Exception {
        try (Connection connection = stack.database().openConnection(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT count(*) FROM processes")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String files(List<Path> files) {
        return files.stream().map(file -> "'" + file + "'").collect(Collectors.joining(", ", "[", "]"));
    }

    private static long count(Statement sql, String query) throws Exception {
        try (ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
