package dev.snapflow.functions.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpServer;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.shared.security.JobTokens;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhook delivery on the real local stack: off the report's thread, fair across tenants, never to a forbidden
 * address, and never reading more of a response than the cap. Receivers listen on 127.0.0.1, which this
 * callback allows as an internal receiver (by that host name only: {@code localhost} stays refused).
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveryTest {
    private static final String KEY = "webhook-delivery-test-hmac-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final int MAX_RESPONSE_BYTES = 4096;

    private EmbeddedServer server;
    private LocalStack stack;
    private final JobTokens tokens = JobTokens.fromSecret(KEY);
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<HttpServer> receivers = new ArrayList<>();

    @BeforeAll
    void start(LocalStack stack) {
        this.stack = stack;
        server = ApplicationContext.run(EmbeddedServer.class, Map.ofEntries(
                Map.entry("micronaut.server.port", -1),
                Map.entry("datasources.default.url", stack.database().jdbcUrl()),
                Map.entry("datasources.default.username", stack.database().username()),
                Map.entry("datasources.default.password", stack.database().password()),
                Map.entry("kafka.bootstrap.servers", stack.kafka().bootstrapServers()),
                Map.entry("snapflow.events.transport", "kafka"),
                Map.entry("snapflow.events.consumer-group", "webhook-delivery-test-" + UUID.randomUUID()),
                Map.entry("snapflow.callback.hmac-key", KEY),
                Map.entry("snapflow.delivery.webhook-base-delay", "200ms"),
                // long enough that the slow receiver below is still holding its calls when the test looks
                Map.entry("snapflow.delivery.webhook-timeout", "120s"),
                Map.entry("snapflow.delivery.webhook-workers", "4"),
                Map.entry("snapflow.delivery.webhook-in-flight-per-tenant", "2"),
                Map.entry("snapflow.delivery.webhook-max-response-bytes", MAX_RESPONSE_BYTES),
                Map.entry("snapflow.webhooks.allowed-targets", "127.0.0.1")));
    }

    @AfterAll
    void stop() {
        receivers.forEach(receiver -> receiver.stop(0));
        server.getApplicationContext().close();
    }

    @Test
    void slowReceiverOfOneTenantDelaysNeitherAnotherTenantsWebhookNorJobReports() throws Exception {
        String slowTenant = newTenant("slow");
        String quickTenant = newTenant("quick");
        CountDownLatch releaseSlow = new CountDownLatch(1);
        AtomicInteger slowHeld = new AtomicInteger();
        AtomicInteger slowMostAtOnce = new AtomicInteger();
        HttpServer slow = receiver(exchange -> {
            int held = slowHeld.incrementAndGet();
            slowMostAtOnce.accumulateAndGet(held, Math::max);
            try {
                exchange.getRequestBody().readAllBytes();
                releaseSlow.await(90, TimeUnit.SECONDS);
                exchange.sendResponseHeaders(204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                slowHeld.decrementAndGet();
                exchange.close();
            }
        });
        List<String> quickCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer quick = receiver(exchange -> {
            quickCalls.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        try {
            for (int i = 0; i < 5; i++) {
                JobId job = firstJob(seedProcess(slowTenant, url(slow)));
                assertThat(post(job, succeeded(job)).statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> slowHeld.get() == 2);

            UUID quickProcess = seedProcess(quickTenant, url(quick));
            JobId quickJob = firstJob(quickProcess);
            HttpResponse<String> report = post(quickJob, succeeded(quickJob));

            assertThat(report.statusCode()).isEqualTo(202);
            assertThat(text("SELECT state FROM processes WHERE id = ?", quickProcess)).isEqualTo("SUCCEEDED");
            await().atMost(Duration.ofSeconds(60)).until(() -> quickCalls.size() == 1);
            assertThat(quickCalls).containsExactly("msg_" + quickProcess.toString().replace("-", "") + "_succeeded");
            // all the while the slow tenant's receiver held its calls, and never more than its share
            assertThat(releaseSlow.getCount()).isEqualTo(1);
            assertThat(slowHeld.get()).isEqualTo(2);
            assertThat(slowMostAtOnce.get()).isEqualTo(2);
        } finally {
            releaseSlow.countDown();
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> count(
                "SELECT count(*) FROM webhook_deliveries WHERE tenant_id = ? AND delivered_at IS NOT NULL", slowTenant) == 5);
        assertThat(slowMostAtOnce.get()).isEqualTo(2);
    }

    @Test
    void hostThatResolvesToLoopbackIsNeverConnectedToAndTheDeliveryGivesUpWithTheRule() throws Exception {
        String tenant = newTenant("ssrf");
        AtomicInteger requests = new AtomicInteger();
        HttpServer internal = receiver(exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        // 127.0.0.1 is allowed by that name; localhost resolves to the same address but is not on the list.
        UUID process = seedProcess(tenant, "http://localhost:" + internal.getAddress().getPort() + "/admin");
        JobId job = firstJob(process);

        assertThat(post(job, succeeded(job)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM webhook_deliveries WHERE process_id = ? AND gave_up_at IS NOT NULL", process) == 1);
        assertThat(text("SELECT last_error FROM webhook_deliveries WHERE process_id = ?", process))
                .startsWith("refused_by_policy: localhost resolves to")
                .contains("rule loopback_address");
        assertThat(count("SELECT attempts FROM webhook_deliveries WHERE process_id = ?", process)).isEqualTo(1);
        assertThat(text("SELECT delivered_at FROM webhook_deliveries WHERE process_id = ?", process)).isNull();
        assertThat(requests.get()).isZero();
    }

    @Test
    void responseBodyBeyondTheCapIsNotReadWhole() throws Exception {
        String tenant = newTenant("big");
        long endless = 512L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        AtomicBoolean cutOff = new AtomicBoolean();
        HttpServer huge = receiver(exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0); // chunked: the body ends when the receiver says so
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream body = exchange.getResponseBody()) {
                while (written.get() < endless) {
                    body.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                cutOff.set(true); // the caller closed the connection
            } finally {
                exchange.close();
            }
        });
        UUID process = seedProcess(tenant, url(huge));
        JobId job = firstJob(process);

        assertThat(post(job, succeeded(job)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM webhook_deliveries WHERE process_id = ? AND delivered_at IS NOT NULL", process) == 1);
        await().atMost(Duration.ofSeconds(60)).untilTrue(cutOff);
        assertThat(written.get()).isLessThan(endless);
        assertThat(count("SELECT last_status FROM webhook_deliveries WHERE process_id = ?", process)).isEqualTo(200);
    }

    @Test
    void failedCallEndsInTheRowWithItsNamedErrorAndIsRetried() throws Exception {
        String tenant = newTenant("down");
        HttpServer closed = receiver(exchange -> exchange.close());
        int port = closed.getAddress().getPort();
        closed.stop(0); // nothing listens there now
        UUID process = seedProcess(tenant, "http://127.0.0.1:" + port + "/hook");
        JobId job = firstJob(process);

        assertThat(post(job, succeeded(job)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT attempts FROM webhook_deliveries WHERE process_id = ?", process) >= 2);
        assertThat(text("SELECT last_error FROM webhook_deliveries WHERE process_id = ?", process))
                .startsWith("connect_failed: ");
        assertThat(text("SELECT gave_up_at FROM webhook_deliveries WHERE process_id = ?", process)).isNull();
    }

    private interface Handler {
        void handle(com.sun.net.httpserver.HttpExchange exchange) throws IOException;
    }

    private HttpServer receiver(Handler handler) throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.createContext("/", handler::handle);
        receiver.start();
        receivers.add(receiver);
        return receiver;
    }

    private static String url(HttpServer receiver) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private String newTenant(String prefix) throws Exception {
        String tenant = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        sql("INSERT INTO tenants (id, display_name, webhook_secret) VALUES (?, ?, ?)", tenant, tenant,
                WebhookSigner.newSecret());
        return tenant;
    }

    /** A one-step process whose only attempt was launched (as enqueue and launch leave it). */
    private UUID seedProcess(String tenant, String webhookUrl) throws Exception {
        UUID id = UUID.randomUUID();
        sql("""
                INSERT INTO processes (id, tenant_id, entity, data_version, requested_version, target, target_kind, params,
                  input_manifest, webhook_url, request_hash, origin, state)
                VALUES (?, ?, 'orders', 'v1', 'v1', 'ingest', 'action', '{}'::jsonb, 's3://snapflow/x/raw/_manifest.json',
                  ?, 'h', 'api', 'QUEUED')""", id, tenant, webhookUrl);
        sql("""
                INSERT INTO steps (process_id, step_no, action, params, state, max_attempts, current_attempt, input_manifest)
                VALUES (?, 1, 'ingest', '{}'::jsonb, 'LAUNCHING', 1, 1, 's3://snapflow/x/raw/_manifest.json')""", id);
        sql("INSERT INTO attempts (job_id, process_id, step_no, attempt, state, output_prefix) VALUES (?, ?, 1, 1, 'LAUNCHING', 's3://snapflow/out/')",
                firstJob(id).value(), id);
        return id;
    }

    private static JobId firstJob(UUID process) {
        return JobId.of(process.toString(), 1, 1);
    }

    private static JobStatusReport succeeded(JobId job) {
        return new JobStatusReport(job.value(), job.attempt(), JobState.SUCCEEDED, 1, Instant.now(), null,
                "s3://snapflow/out/_manifest.json", false, Map.of("rowsOut", 2), null, JobStatusReport.REPORTER_JOB);
    }

    private HttpResponse<String> post(JobId job, JobStatusReport report) throws Exception {
        return http.send(HttpRequest.newBuilder(server.getURI().resolve("/v1/jobs/" + job + "/status"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + tokens.mint(job, job.attempt()))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(report))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void sql(String sql, Object... args) throws Exception {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            statement.executeUpdate();
        }
    }

    private String text(String sql, Object arg) throws Exception {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, arg);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private long count(String sql, Object arg) throws Exception {
        String value = text(sql, arg);
        return value == null ? 0 : Long.parseLong(value);
    }
}
