package dev.snapflow.functions.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.shared.security.JobTokens;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * callback on the real local stack. Processes are seeded as rows in the state enqueue leaves them in (a step
 * LAUNCHING with its attempt), then reports arrive as jobs would send them.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallbackFunctionTest {
    private static final String KEY = "callback-test-hmac-key-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private EmbeddedServer server;
    private LocalStack stack;
    private final JobTokens tokens = JobTokens.fromSecret(KEY);
    private final HttpClient http = HttpClient.newHttpClient();
    private final String tenant = "cb-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        this.stack = stack;
        server = ApplicationContext.run(EmbeddedServer.class, Map.ofEntries(
                Map.entry("micronaut.server.port", -1),
                Map.entry("datasources.default.url", stack.database().jdbcUrl()),
                Map.entry("datasources.default.username", stack.database().username()),
                Map.entry("datasources.default.password", stack.database().password()),
                Map.entry("kafka.bootstrap.servers", stack.kafka().bootstrapServers()),
                Map.entry("snapflow.events.transport", "kafka"),
                Map.entry("snapflow.events.consumer-group", "callback-test-" + UUID.randomUUID()),
                Map.entry("snapflow.callback.hmac-key", KEY),
                Map.entry("snapflow.delivery.retry-base-delay", "1s"),
                Map.entry("snapflow.delivery.webhook-base-delay", "200ms"),
                // the receivers below listen on loopback, allowed as an internal receiver would be
                Map.entry("snapflow.webhooks.allowed-targets", "127.0.0.1")));
        sql("INSERT INTO tenants (id, display_name, webhook_secret) VALUES (?, ?, ?)", tenant, tenant,
                WebhookSigner.newSecret());
    }

    @AfterAll
    void stop() {
        server.getApplicationContext().close();
    }

    /** A two-step process whose step 1 attempt {@code attempt} was requested (as enqueue leaves it). */
    private UUID seedProcess(int attempt) throws Exception {
        return seedProcess(attempt, "http://127.0.0.1:9/hook");
    }

    private UUID seedProcess(int attempt, String webhookUrl) throws Exception {
        UUID id = UUID.randomUUID();
        sql("""
                INSERT INTO processes (id, tenant_id, entity, data_version, requested_version, target, target_kind, params,
                  input_manifest, webhook_url, request_hash, origin, state)
                VALUES (?, ?, 'orders', 'v1', 'v1', 'refresh', 'pipeline', '{}'::jsonb, 's3://snapflow/x/raw/_manifest.json',
                  ?, 'h', 'api', 'QUEUED')""", id, tenant, webhookUrl);
        sql("""
                INSERT INTO steps (process_id, step_no, action, params, state, max_attempts, current_attempt, input_manifest)
                VALUES (?, 1, 'ingest', '{}'::jsonb, 'LAUNCHING', 2, ?, 's3://snapflow/x/raw/_manifest.json'),
                       (?, 2, 'clean', '{}'::jsonb, 'PENDING', 2, 0, NULL)""", id, attempt, id);
        for (int a = 1; a <= attempt; a++) {
            sql("INSERT INTO attempts (job_id, process_id, step_no, attempt, state, output_prefix) VALUES (?, ?, 1, ?, ?, 's3://snapflow/out/')",
                    JobId.of(id.toString(), 1, a).value(), id, a, a < attempt ? "FAILED" : "LAUNCHING");
        }
        return id;
    }

    private static JobStatusReport report(JobId job, JobState state, long sequence) {
        return new JobStatusReport(job.value(), job.attempt(), state, sequence, Instant.now(),
                state == JobState.RUNNING ? new JobStatusReport.Progress(1, 2, 5, 10) : null,
                state == JobState.SUCCEEDED ? "s3://snapflow/out/_manifest.json" : null,
                state == JobState.SUCCEEDED ? false : null, state == JobState.SUCCEEDED ? Map.of("rowsOut", 2) : null,
                null, JobStatusReport.REPORTER_JOB);
    }

    private static JobStatusReport failure(JobId job, long sequence, ErrorClass errorClass, String message) {
        return new JobStatusReport(job.value(), job.attempt(), JobState.FAILED, sequence, Instant.now(), null, null,
                null, null, new JobStatusReport.JobError(errorClass, message), JobStatusReport.REPORTER_JOB);
    }

    private HttpResponse<String> post(JobId job, String token, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve("/v1/jobs/" + job + "/status"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(JobId job, JobStatusReport report) throws Exception {
        return post(job, tokens.mint(job, job.attempt()), "application/json", JSON.writeValueAsBytes(report));
    }

    @Test
    void reportsWithoutTheJobsOwnTokenAreRejected() throws Exception {
        JobId job = JobId.of(seedProcess(1).toString(), 1, 1);
        byte[] body = JSON.writeValueAsBytes(report(job, JobState.RUNNING, 1));
        JobId otherJob = JobId.of(UUID.randomUUID().toString(), 1, 1);

        assertThat(post(job, null, "application/json", body).statusCode()).isEqualTo(401);
        assertThat(post(job, JobTokens.fromSecret("another-key-another-key-another-key!").mint(job, 1),
                "application/json", body).statusCode()).isEqualTo(401);
        assertThat(post(job, tokens.mint(otherJob, 1), "application/json", body).statusCode()).isEqualTo(401);
        assertThat(state("SELECT state FROM attempts WHERE job_id = ?", job.value())).isEqualTo("LAUNCHING");
    }

    @Test
    void reportOfAnUnknownJobIsNotFound() throws Exception {
        JobId unknown = JobId.of(UUID.randomUUID().toString(), 1, 1);
        assertThat(post(unknown, report(unknown, JobState.RUNNING, 1)).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedReportsAreBadRequests() throws Exception {
        JobId job = JobId.of(seedProcess(1).toString(), 1, 1);
        String token = tokens.mint(job, 1);
        assertThat(post(job, token, "application/json", "{not json".getBytes()).statusCode()).isEqualTo(400);
        assertThat(post(job, token, "application/json", "{\"jobId\":\"x\"}".getBytes()).statusCode()).isEqualTo(400);
        JobId other = JobId.of(UUID.randomUUID().toString(), 1, 1);
        assertThat(post(job, token, "application/json", JSON.writeValueAsBytes(report(other, JobState.RUNNING, 1))).statusCode())
                .isEqualTo(400);
        assertThat(post(job, token, "text/plain", JSON.writeValueAsBytes(report(job, JobState.RUNNING, 1))).statusCode())
                .isEqualTo(415);
    }

    @Test
    void nullWrongShapeAndOversizedReportsAreProblemsNamingTheFieldWithoutJavaNames() throws Exception {
        JobId job = JobId.of(seedProcess(1).toString(), 1, 1);
        String token = tokens.mint(job, 1);
        assertReportProblem(post(job, token, "application/json", "null".getBytes()), 400, "body");
        assertReportProblem(post(job, token, "application/json", "[1]".getBytes()), 400, "body");
        assertReportProblem(post(job, token, "application/json", "{\"jobId\":[1]}".getBytes()), 400, "jobId");
        assertReportProblem(post(job, token, "application/json", "{\"jobId\":".getBytes()), 400, "body");
        assertReportProblem(post(job, token, "application/json", new byte[300 * 1024]), 413, "body");
        assertThat(state("SELECT state FROM attempts WHERE job_id = ?", job.value())).isEqualTo("LAUNCHING");
    }

    private static void assertReportProblem(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        var problem = JSON.readTree(response.body());
        assertThat(problem.path("field").asText()).as(response.body()).isEqualTo(field);
        assertThat(problem.path("detail").asText()).as(response.body())
                .doesNotContain("dev.snapflow", "java.", "$", "`", "Cannot ", "Source:", "Exception");
    }

    @Test
    void repeatedAndOutOfOrderReportsChangeNothing() throws Exception {
        UUID process = seedProcess(1);
        JobId job = JobId.of(process.toString(), 1, 1);

        assertThat(post(job, report(job, JobState.RUNNING, 2)).statusCode()).isEqualTo(202);
        assertThat(post(job, report(job, JobState.RUNNING, 2)).statusCode()).isEqualTo(200);
        assertThat(post(job, report(job, JobState.SUCCEEDED, 5)).statusCode()).isEqualTo(202);
        assertThat(post(job, report(job, JobState.RUNNING, 3)).statusCode()).isEqualTo(200);
        assertThat(post(job, report(job, JobState.SUCCEEDED, 5)).statusCode()).isEqualTo(200);

        assertThat(state("SELECT state FROM attempts WHERE job_id = ?", job.value())).isEqualTo("SUCCEEDED");
        assertThat(state("SELECT state FROM steps WHERE process_id = ? AND step_no = 2", process)).isEqualTo("QUEUED");
        assertThat(state("SELECT input_manifest FROM steps WHERE process_id = ? AND step_no = 2", process))
                .isEqualTo("s3://snapflow/out/_manifest.json");
        assertThat(count("SELECT count(*) FROM outbox WHERE event_id = ?", "step-completed-" + job)).isEqualTo(1);
    }

    @Test
    void reportOfASupersededAttemptIsAConflict() throws Exception {
        UUID process = seedProcess(2);
        JobId old = JobId.of(process.toString(), 1, 1);

        var refused = post(old, report(old, JobState.SUCCEEDED, 9));
        assertThat(refused.statusCode()).isEqualTo(409);
        // The job reads the problem type as its word to stop (JobExitCodes).
        assertThat(refused.body()).containsAnyOf(dev.snapflow.contracts.jobs.JobExitCodes.STALE_ATTEMPT_PROBLEM,
                dev.snapflow.contracts.jobs.JobExitCodes.ALREADY_FINISHED_PROBLEM);
        assertThat(state("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", process)).isEqualTo("LAUNCHING");
    }

    @Test
    void retryableFailureQueuesAnotherAttemptAndTheLastOneFailsTheProcessWithTheJobsText() throws Exception {
        UUID process = seedProcess(1);
        JobId first = JobId.of(process.toString(), 1, 1);

        assertThat(post(first, failure(first, 1, ErrorClass.TRANSIENT, "executor lost")).statusCode()).isEqualTo(202);
        assertThat(state("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", process)).isEqualTo("QUEUED");
        assertThat(count("SELECT count(*) FROM steps WHERE process_id = ? AND step_no = 1 AND not_before > now()", process))
                .isEqualTo(1);
        // enqueue would now start attempt 2:
        sql("UPDATE steps SET state = 'LAUNCHING', current_attempt = 2 WHERE process_id = ? AND step_no = 1", process);
        JobId second = JobId.of(process.toString(), 1, 2);
        sql("INSERT INTO attempts (job_id, process_id, step_no, attempt, state, output_prefix) VALUES (?, ?, 1, 2, 'LAUNCHING', 's3://snapflow/out/')",
                second.value(), process);

        assertThat(post(second, failure(second, 1, ErrorClass.TRANSIENT, "executor lost again")).statusCode()).isEqualTo(202);

        assertThat(state("SELECT state FROM processes WHERE id = ?", process)).isEqualTo("FAILED");
        assertThat(state("SELECT error_message FROM processes WHERE id = ?", process))
                .isEqualTo("step 1 (ingest) failed after 2 attempts: executor lost again");
        assertThat(state("SELECT state FROM steps WHERE process_id = ? AND step_no = 2", process)).isEqualTo("SKIPPED");
        assertThat(count("SELECT count(*) FROM webhook_deliveries WHERE process_id = ? AND event_type = 'process.failed'", process))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM outbox WHERE event_id = ?", "process-failed-" + process)).isEqualTo(1);
    }

    @Test
    void nonRetryableFailureFailsAtOnce() throws Exception {
        UUID process = seedProcess(1);
        JobId job = JobId.of(process.toString(), 1, 1);

        assertThat(post(job, failure(job, 1, ErrorClass.INVALID_DATA, "column amount is not a number")).statusCode())
                .isEqualTo(202);

        assertThat(state("SELECT state FROM processes WHERE id = ?", process)).isEqualTo("FAILED");
        assertThat(state("SELECT error_class FROM processes WHERE id = ?", process)).isEqualTo("INVALID_DATA");
    }

    @Test
    void jobStatusEventReachesTheSameHandlerAsHttpReports() throws Exception {
        UUID process = seedProcess(1);
        JobId job = JobId.of(process.toString(), 1, 1);
        CloudEvent event = Events.newEvent(report(job, JobState.RUNNING, 1)).source(EventSources.LAUNCH)
                .partitionKey(tenant + "/orders").build();

        // On the Kafka transport events arrive through the topic only: POST / is not served.
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.<String, Object>of(
                "bootstrap.servers", stack.kafka().bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(io.cloudevents.kafka.KafkaMessageFactory.createWriter("snapflow-events", tenant + "/orders")
                    .writeBinary(event)).get();
        }

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(state("SELECT state FROM attempts WHERE job_id = ?", job.value())).isEqualTo("RUNNING"));
        assertThat(state("SELECT state FROM processes WHERE id = ?", process)).isEqualTo("RUNNING");
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve("/"));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
        assertThat(http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isIn(404, 405);
    }

    @Test
    void webhookThatFailsFirstIsRetriedWithTheSameIdAndAValidSignature() throws Exception {
        List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            Map<String, String> call = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> call.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            call.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            calls.add(call);
            exchange.sendResponseHeaders(calls.size() == 1 ? 503 : 204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            UUID process = seedProcess(1, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
            sql("DELETE FROM steps WHERE process_id = ? AND step_no = 2", process);
            JobId job = JobId.of(process.toString(), 1, 1);

            assertThat(post(job, report(job, JobState.SUCCEEDED, 1)).statusCode()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(60)).until(() -> count(
                    "SELECT count(*) FROM webhook_deliveries WHERE process_id = ? AND delivered_at IS NOT NULL", process) == 1);
            assertThat(calls).hasSize(2);
            assertThat(calls.get(1).get("webhook-id")).isEqualTo(calls.get(0).get("webhook-id"));
            String secret = state("SELECT webhook_secret FROM tenants WHERE id = ?", tenant);
            Map<String, String> last = calls.get(1);
            assertThat(WebhookSigner.verify(secret, last.get("webhook-id"), last.get("webhook-timestamp"), last.get("body"),
                    last.get("webhook-signature"))).isTrue();
            assertThat(last.get("body")).contains("\"type\":\"process.succeeded\"").contains(process.toString());
            assertThat(count("SELECT attempts FROM webhook_deliveries WHERE process_id = ?", process)).isEqualTo(2);
        } finally {
            receiver.stop(0);
        }
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

    private String state(String sql, Object arg) throws Exception {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, arg);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private long count(String sql, Object arg) throws Exception {
        return Long.parseLong(state(sql, arg));
    }
}
