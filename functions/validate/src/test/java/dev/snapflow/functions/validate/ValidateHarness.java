package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
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
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Runs validate in this JVM against the real local stack, and talks to it like a client would. */
final class ValidateHarness implements AutoCloseable {
    static final String ADMIN_TOKEN = "admin-token-for-tests-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    final LocalStack stack;
    final EmbeddedServer server;
    final S3Client s3;
    final HttpClient http = HttpClient.newHttpClient();
    final int managementPort;

    ValidateHarness(LocalStack stack, Map<String, Object> extra) {
        this.stack = stack;
        this.managementPort = freePort();
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", -1);
        props.put("datasources.default.url", stack.database().jdbcUrl());
        props.put("datasources.default.username", stack.database().username());
        props.put("datasources.default.password", stack.database().password());
        props.put("kafka.bootstrap.servers", stack.kafka().bootstrapServers());
        props.put("snapflow.events.transport", "kafka");
        props.put("snapflow.events.consumer-group", "validate-test-" + UUID.randomUUID());
        props.put("snapflow.validate.api-key-pepper", "pepper-for-tests-0123456789");
        props.put("snapflow.validate.admin-token", ADMIN_TOKEN);
        props.put("snapflow.validate.max-request-bytes", 4096);
        props.put("snapflow.s3.endpoint", stack.s3().endpoint().toString());
        props.put("snapflow.s3.region", stack.s3().region());
        props.put("snapflow.s3.bucket", stack.s3().bucket());
        props.put("snapflow.s3.access-key", stack.s3().accessKey());
        props.put("snapflow.s3.secret-key", stack.s3().secretKey());
        props.put("endpoints.all.port", managementPort);
        // The tests' webhook URLs name a closed local port, allowed as an internal receiver would be.
        props.put("snapflow.webhooks.allowed-targets", "127.0.0.1:1");
        props.putAll(extra);
        this.server = ApplicationContext.run(EmbeddedServer.class, props);
        this.s3 = stack.s3().newClient();
    }

    URI uri(String path) {
        return server.getURI().resolve(path);
    }

    /** On the management port (SNAPFLOW_MANAGEMENT_PORT): health with details, prometheus. */
    URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a tenant through the admin endpoint; returns [apiKey, webhookSecret]. */
    String[] createTenant(String tenant) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + tenant + "\"}")).build());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("tenant not created: " + response.statusCode() + " " + response.body());
        }
        JsonNode body = JSON.readTree(response.body());
        return new String[] {body.get("apiKey").asText(), body.get("webhookSecret").asText()};
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String apiKey, String contentType, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String path, String apiKey) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + apiKey).GET().build());
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

    long count(String sql, Object... args) throws SQLException {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                select.setObject(i + 1, args[i]);
            }
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    int update(String sql, Object... args) throws SQLException {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                update.setObject(i + 1, args[i]);
            }
            return update.executeUpdate();
        }
    }

    @Override
    public void close() {
        s3.close();
        server.getApplicationContext().close();
    }
}
