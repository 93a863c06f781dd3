package dev.snapflow.functions.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.functions.it.job.TestJobRuns;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The whole control plane (four function JVMs) on the local stack, and a client of its API. */
final class EndToEndHarness implements AutoCloseable {
    static final String ADMIN_TOKEN = "admin-token-for-end-to-end-tests";
    static final ObjectMapper JSON = new ObjectMapper();

    final LocalStack stack;
    final ControlPlane plane;
    final S3Client s3;
    final HttpClient http = HttpClient.newHttpClient();
    final Path workDir;

    private EndToEndHarness(LocalStack stack, Path workDir, ControlPlane plane) {
        this.stack = stack;
        this.workDir = workDir;
        this.plane = plane;
        this.s3 = stack.s3().newClient();
    }

    static EndToEndHarness start(LocalStack stack) throws Exception {
        return start(stack, Map.of());
    }

    /** @param extraCommon settings for all four functions on top of the usual ones (e.g. the log format) */
    static EndToEndHarness start(LocalStack stack, Map<String, String> extraCommon) throws Exception {
        Path workDir = Files.createTempDirectory("snapflow-e2e-");
        Path functionsDir = Path.of(System.getProperty("snapflow.root", "../..")).resolve("functions").toAbsolutePath();
        Path catalog = TestJobRuns.writeCatalog(workDir);
        Map<String, Map<String, String>> perFunction = new HashMap<>();
        perFunction.put("validate", Map.of("SNAPFLOW_API_KEY_PEPPER", "pepper-for-end-to-end-tests",
                "SNAPFLOW_ADMIN_TOKEN", ADMIN_TOKEN));
        perFunction.put("callback", Map.of("SNAPFLOW_RETRY_BASE_DELAY", "500ms", "SNAPFLOW_RETRY_MAX_DELAY", "2s",
                "SNAPFLOW_WEBHOOK_BASE_DELAY", "500ms"));
        perFunction.put("launch", Map.of("SNAPFLOW_LAUNCH_BACKEND", "local",
                "SNAPFLOW_LOCAL_JOB_CLASSPATH", TestJobRuns.classpathFrom(System.getProperty("java.class.path")),
                "SNAPFLOW_LOCAL_WORK_DIR", workDir.resolve("jobs").toString(),
                "SNAPFLOW_LOCAL_MAX_JOBS", "6"));
        perFunction.put("enqueue", new HashMap<>(Map.of("SNAPFLOW_TENANT_DEFAULT_CONCURRENCY", "4",
                "SNAPFLOW_ENQUEUE_SWEEP_INTERVAL", "500ms")));
        Map<String, String> common = common(stack, catalog);
        common.putAll(extraCommon);
        ControlPlane.Settings settings = new ControlPlane.Settings(functionsDir, workDir, common,
                perFunction, Duration.ofSeconds(120));
        ControlPlane plane = ControlPlane.start(settings, ControlPlane.FUNCTIONS);
        return new EndToEndHarness(stack, workDir, plane);
    }

    private static Map<String, String> common(LocalStack stack, Path catalog) {
        Map<String, String> env = new HashMap<>();
        env.put("SNAPFLOW_DB_URL", stack.database().jdbcUrl());
        env.put("SNAPFLOW_DB_USER", stack.database().username());
        env.put("SNAPFLOW_DB_PASSWORD", stack.database().password());
        env.put("SNAPFLOW_TRANSPORT", "kafka");
        env.put("SNAPFLOW_KAFKA_BOOTSTRAP_SERVERS", stack.kafka().bootstrapServers());
        env.put("SNAPFLOW_CALLBACK_HMAC_KEY", "callback-hmac-key-for-end-to-end-tests-0123456789");
        env.put("SNAPFLOW_S3_ENDPOINT", stack.s3().endpoint().toString());
        env.put("SNAPFLOW_S3_REGION", stack.s3().region());
        env.put("SNAPFLOW_S3_BUCKET", stack.s3().bucket());
        env.put("AWS_ACCESS_KEY_ID", stack.s3().accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", stack.s3().secretKey());
        env.put("SNAPFLOW_ACTION_CATALOG", catalog.toString());
        env.put("SNAPFLOW_OUTBOX_RELAY_INTERVAL", "500ms");
        // WebhookReceiver listens on 127.0.0.1: allowed by that name (localhost and other loopback forms stay refused)
        env.put("SNAPFLOW_WEBHOOK_ALLOWED_TARGETS", "127.0.0.1");
        return env;
    }

    URI validate(String path) {
        return URI.create(plane.baseUrl("validate") + path);
    }

    /** Creates a tenant through the admin API; returns the response (apiKey, webhookSecret). */
    JsonNode createTenant(String tenant, Integer maxConcurrentJobs) throws Exception {
        String body = "{\"id\":\"" + tenant + "\"" + (maxConcurrentJobs == null ? "" : ",\"maxConcurrentJobs\":" + maxConcurrentJobs) + "}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(validate("/v1/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("tenant not created: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    HttpResponse<String> post(String path, String apiKey, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(validate(path)).header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode submit(String apiKey, String body) throws Exception {
        HttpResponse<String> response = post("/v1/processes", apiKey, body);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("not accepted: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    JsonNode process(String apiKey, String id) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(validate("/v1/processes/" + id))
                .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** A tiny committed raw snapshot, published the way every snapshot is: data, then manifest, then latest pointer. */
    void commitRawSnapshot(SnapshotRef ref) {
        try {
            Path csv = Files.createTempFile("raw-snapshot-", ".csv");
            try {
                Files.writeString(csv, "id,amount\n1,10\n2,20\n");
                new SnapshotPublisher(s3, stack.s3().bucket()).publishFiles(ref, List.of(csv));
            } finally {
                Files.deleteIfExists(csv);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many times the job was started (each start leaves a marker object). */
    int jobStarts(String jobId) {
        return TestJobRuns.starts(s3, stack.s3().bucket(), jobId);
    }

    List<Map<String, Object>> rows(String sql, Object... args) throws Exception {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                select.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Map<String, Object> values = new HashMap<>();
                    for (int c = 1; c <= row.getMetaData().getColumnCount(); c++) {
                        values.put(row.getMetaData().getColumnLabel(c), row.getObject(c));
                    }
                    rows.add(values);
                }
            }
            return rows;
        }
    }

    long count(String sql, Object... args) throws Exception {
        return ((Number) rows(sql, args).get(0).values().iterator().next()).longValue();
    }

    /** Everything validate logged (all its runs: restarts append). */
    String validateLog() throws java.io.IOException {
        return Files.readString(workDir.resolve("validate.log"));
    }

    @Override
    public void close() {
        plane.close();
        s3.close();
    }

}
