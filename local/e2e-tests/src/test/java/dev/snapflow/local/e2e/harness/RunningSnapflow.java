package dev.snapflow.local.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.controlplane.LocalWiring;
import dev.snapflow.local.stack.LocalStack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Snapflow as {@code snapflow up} runs it, shared by the end-to-end test classes of one test JVM: the local stack,
 * the four functions as separate JVMs from their built jars (the same {@link LocalWiring}), and launch running the
 * real Spark job. Started once by {@link RunningSnapflowExtension}; tests share it, so each test works in its own
 * tenant ({@link #newTenant}) and never expects empty tables. A class that starts a control plane of its own must run
 * before every class using this one (an {@code @Order} below theirs, see junit-platform.properties): two control planes
 * on one Kafka and database would share consumer groups and take each other's events.
 */
public final class RunningSnapflow implements AutoCloseable {
    public static final String ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef0123456789";
    public static final String CALLBACK_HMAC_KEY = "e2e-callback-hmac-key-0123456789abcdef0123456789";
    public static final String API_KEY_PEPPER = "e2e-api-key-pepper-0123456789abcdef0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger TENANTS = new AtomicInteger();

    private final LocalStack stack;
    private final Path root;
    private final Path workDir;
    private final ControlPlane plane;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private RunningSnapflow(LocalStack stack, Path root, Path workDir, ControlPlane plane) {
        this.stack = stack;
        this.root = root;
        this.workDir = workDir;
        this.plane = plane;
    }

    /** A tenant of the running system with its API key and webhook secret, as the admin API created it. */
    public record Tenant(String id, String apiKey, String webhookSecret) {
    }

    static RunningSnapflow start(LocalStack stack) {
        Path root = Path.of(System.getProperty("snapflow.root", "../..")).toAbsolutePath().normalize();
        try {
            Path workDir = Files.createTempDirectory("snapflow-e2e-");
            Path jobJar = root.resolve("spark-jobs/target/spark-jobs-0.1.0-SNAPSHOT.jar");
            String jobClasspath = jobJar + File.pathSeparator + "@" + root.resolve("spark-jobs/target/spark-classpath.txt");
            LocalWiring wiring = new LocalWiring(stack.database().jdbcUrl(), stack.database().username(),
                    stack.database().password(), stack.kafka().bootstrapServers(), stack.s3().endpoint().toString(),
                    stack.s3().region(), stack.s3().bucket(), stack.s3().accessKey(), stack.s3().secretKey(), ADMIN_TOKEN,
                    CALLBACK_HMAC_KEY, API_KEY_PEPPER, jobClasspath, workDir.resolve("jobs"));
            ControlPlane plane = ControlPlane.start(new ControlPlane.Settings(root.resolve("functions"), workDir.resolve("logs"),
                    wiring.common(), wiring.perFunction(), healthTimeout()), ControlPlane.FUNCTIONS);
            return new RunningSnapflow(stack, root, workDir, plane);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How long each function may take to become healthy: 3 minutes, or {@code -Dsnapflow.e2e.health-timeout=PT6M} on a
     * machine so loaded that JVMs start in minutes rather than seconds.
     */
    private static Duration healthTimeout() {
        return Duration.parse(System.getProperty("snapflow.e2e.health-timeout", "PT3M"));
    }

    public LocalStack stack() {
        return stack;
    }

    public ControlPlane plane() {
        return plane;
    }

    /** The project's root directory (for built jars and shipped examples). */
    public Path root() {
        return root;
    }

    /** Where the functions' logs ({@code logs/<name>.log}) and the jobs' directories ({@code jobs/}) are. */
    public Path workDir() {
        return workDir;
    }

    public HttpClient http() {
        return http;
    }

    /** A URL of a function, e.g. {@code url("validate", "/v1/processes")}. */
    public URI url(String function, String path) {
        return URI.create(plane.baseUrl(function) + path);
    }

    /** Creates a tenant with a unique id starting with {@code prefix} through the admin API. */
    public Tenant newTenant(String prefix) {
        String id = prefix + "-" + TENANTS.incrementAndGet();
        HttpResponse<String> response = send(HttpRequest.newBuilder(url("validate", "/v1/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}")).build());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("tenant " + id + " not created: " + response.statusCode() + " " + response.body());
        }
        JsonNode created = json(response.body());
        return new Tenant(id, created.path("apiKey").asText(), created.path("webhookSecret").asText());
    }

    /** Sends a request and returns its response as text; an I/O failure fails the test. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One number from the database, e.g. {@code count("SELECT count(*) FROM processes WHERE tenant_id = 'x'")}. */
    public long count(String sql) {
        try (Connection connection = stack.database().openConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        plane.close();
    }
}
