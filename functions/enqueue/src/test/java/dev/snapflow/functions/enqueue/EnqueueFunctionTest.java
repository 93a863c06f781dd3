package dev.snapflow.functions.enqueue;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.events.ProcessAccepted;
import dev.snapflow.contracts.events.ProcessFailed;
import dev.snapflow.contracts.events.StepCompleted;
import dev.snapflow.contracts.events.StepOutcome;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.OutputId;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import dev.snapflow.functions.shared.security.TestIssuer;
import io.cloudevents.http.HttpMessageFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * enqueue on the real local stack: processes are seeded as validate leaves them (ACCEPTED, steps PENDING), then
 * the events arrive over its HTTP entry point.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnqueueFunctionTest {
    private EmbeddedServer server;
    /** Signs the deliveries to POST / as Knative Eventing would (a Trigger's identity, enqueue's audience). */
    private final TestIssuer issuer = TestIssuer.start();
    /** Stands in for the broker's ingress: acknowledges whatever the outbox relay publishes. */
    private com.sun.net.httpserver.HttpServer broker;
    private LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(LocalStack stack) {
        this.stack = stack;
        try {
            broker = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        broker.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        broker.start();
        java.util.Map<String, Object> properties = new java.util.HashMap<>(Map.ofEntries(
                Map.entry("micronaut.server.port", -1),
                Map.entry("datasources.default.url", stack.database().jdbcUrl()),
                Map.entry("datasources.default.username", stack.database().username()),
                Map.entry("datasources.default.password", stack.database().password()),
                Map.entry("kafka.bootstrap.servers", stack.kafka().bootstrapServers()),
                Map.entry("snapflow.events.transport", "http"),
                Map.entry("snapflow.events.sink", "http://127.0.0.1:" + broker.getAddress().getPort() + "/"),
                Map.entry("snapflow.events.consumer-group", "enqueue-test-" + UUID.randomUUID()),
                Map.entry("snapflow.enqueue.callback-url", "http://callback.example:8084/"),
                Map.entry("snapflow.enqueue.bucket", "snapflow"),
                Map.entry("snapflow.enqueue.sweep-interval", "1h")));
        properties.putAll(issuer.properties("enqueue", TestIssuer.TRIGGER_SUBJECT));
        server = ApplicationContext.run(EmbeddedServer.class, properties);
    }

    @AfterAll
    void stop() {
        server.getApplicationContext().close();
        broker.stop(0);
        issuer.close();
    }

    private String tenant(Integer limit) throws Exception {
        String tenant = "enq-" + UUID.randomUUID().toString().substring(0, 8);
        sql("INSERT INTO tenants (id, display_name, webhook_secret, max_concurrent_jobs) VALUES (?, ?, ?, ?)",
                tenant, tenant, WebhookSigner.newSecret(), limit);
        return tenant;
    }

    /** A refresh-like two-step process as validate stores it; returns its process.accepted event. */
    private CloudEvent acceptedProcess(String tenant) throws Exception {
        return acceptedProcess(tenant, "ingest",
                "s3://snapflow/" + StorageLayout.rawSnapshotManifestKey(new SnapshotRef(tenant, "orders", "v1")));
    }

    /** As above with the first step's action and input as given (e.g. an action the catalog no longer has). */
    private CloudEvent acceptedProcess(String tenant, String firstAction, String input) throws Exception {
        UUID id = UUID.randomUUID();
        sql("""
                INSERT INTO processes (id, tenant_id, entity, data_version, requested_version, target, target_kind, params,
                  input_manifest, request_hash, origin, state)
                VALUES (?, ?, 'orders', 'v1', 'v1', 'refresh', 'pipeline', '{}'::jsonb, ?, 'h', 'api', 'ACCEPTED')""",
                id, tenant, input);
        sql("""
                INSERT INTO steps (process_id, step_no, action, params, state, max_attempts, input_manifest)
                VALUES (?, 1, ?, '{"header": true}'::jsonb, 'PENDING', 3, ?),
                       (?, 2, 'clean', '{}'::jsonb, 'PENDING', 3, NULL)""", id, firstAction, input, id);
        return Events.newEvent(new ProcessAccepted(id.toString(), tenant, "orders", "v1", "refresh",
                List.of(new ProcessAccepted.PipelineStep(firstAction, Map.of("header", true)),
                        new ProcessAccepted.PipelineStep("clean", Map.of())), input, Instant.now()))
                .source(EventSources.VALIDATE).id("process-accepted-" + id).build();
    }

    @Test
    void acceptedProcessBecomesOneJobMessageWithTheJobsCommandLineEvenWhenDeliveredTwice() throws Exception {
        String tenant = tenant(null);
        CloudEvent accepted = acceptedProcess(tenant);
        String processId = accepted.getSubject();

        assertThat(post(accepted).statusCode()).isEqualTo(202);
        assertThat(post(accepted).statusCode()).isEqualTo(202);

        JobId job = JobId.of(processId, 1, 1);
        assertThat(count("SELECT count(*) FROM attempts WHERE process_id = ?", UUID.fromString(processId))).isEqualTo(1);
        assertThat(text("SELECT state FROM processes WHERE id = ?", UUID.fromString(processId))).isEqualTo("QUEUED");
        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", UUID.fromString(processId)))
                .isEqualTo("LAUNCHING");
        JobRequested requested = Events.read(Events.fromJson(bytes("SELECT event FROM outbox WHERE event_id = ?",
                "job-requested-" + job)), JobRequested.class);
        JobArguments args = requested.arguments();
        SnapshotRef ref = new SnapshotRef(tenant, "orders", "v1");
        String expectedOutputId = OutputId.derive("ingest", "{\"header\": true}", "0.1.0",
                StorageLayout.rawSnapshotManifestKey(ref));
        assertThat(args.outputPrefix()).isEqualTo("s3://snapflow/" + StorageLayout.outputPrefix(ref, Tier.BRONZE, expectedOutputId));
        assertThat(args.inputManifest()).isEqualTo("s3://snapflow/" + StorageLayout.rawSnapshotManifestKey(ref));
        assertThat(args.callbackUrl()).isEqualTo("http://callback.example:8084/v1/jobs/" + job + "/status");
        assertThat(args.attempt()).isEqualTo(1);
        assertThat(requested.timeoutSeconds()).isEqualTo(1800);
    }

    @Test
    void tenantAtItsLimitHasItsJobsHeldBackUntilAStepCompletes() throws Exception {
        String tenant = tenant(1);
        CloudEvent first = acceptedProcess(tenant);
        CloudEvent second = acceptedProcess(tenant);
        UUID secondId = UUID.fromString(second.getSubject());

        post(first);
        post(second);

        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", secondId)).isEqualTo("QUEUED");
        assertThat(count("SELECT count(*) FROM attempts WHERE process_id = ?", secondId)).isZero();

        // callback records the first job's success (its step no longer holds a slot) and says so:
        UUID firstId = UUID.fromString(first.getSubject());
        JobId firstJob = JobId.of(firstId.toString(), 1, 1);
        sql("UPDATE attempts SET state = 'SUCCEEDED' WHERE job_id = ?", firstJob.value());
        sql("UPDATE steps SET state = 'SUCCEEDED' WHERE process_id = ? AND step_no = 1", firstId);
        CloudEvent completed = Events.newEvent(new StepCompleted(firstId.toString(), tenant, "orders", 1, 1,
                firstJob.value(), "ingest", StepOutcome.SUCCEEDED, "s3://snapflow/out/_manifest.json", false, null,
                Instant.now())).source(EventSources.CALLBACK).build();

        assertThat(post(completed).statusCode()).isEqualTo(202);

        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", secondId)).isEqualTo("LAUNCHING");
        assertThat(count("SELECT count(*) FROM attempts WHERE process_id = ?", secondId)).isEqualTo(1);
    }

    @Test
    void tenantAtItsLimitQueuesEveryAcceptedProcessOnceAndStartsTheOldestWhenASlotFrees() throws Exception {
        String tenant = tenant(2);
        List<CloudEvent> accepted = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            accepted.add(acceptedProcess(tenant));
        }

        for (CloudEvent event : accepted) {
            assertThat(post(event).statusCode()).isEqualTo(202);
        }
        // redelivered while held back: nothing is queued or started twice
        for (CloudEvent event : accepted) {
            assertThat(post(event).statusCode()).isEqualTo(202);
        }

        assertThat(stepStates(accepted)).containsExactly("LAUNCHING", "LAUNCHING", "QUEUED", "QUEUED", "QUEUED", "QUEUED");
        assertThat(attemptsOf(accepted)).containsExactly(1L, 1L, 0L, 0L, 0L, 0L);

        complete(tenant, UUID.fromString(accepted.get(1).getSubject()));

        // one slot free: the oldest waiting process (the third accepted) takes it, not a later one
        assertThat(stepStates(accepted)).containsExactly("LAUNCHING", "SUCCEEDED", "LAUNCHING", "QUEUED", "QUEUED", "QUEUED");
        assertThat(attemptsOf(accepted)).containsExactly(1L, 1L, 1L, 0L, 0L, 0L);
    }

    @Test
    void anotherTenantsProcessStartsAtOnceWhileABusyTenantHasManyQueued() throws Exception {
        String busy = tenant(1);
        for (int i = 0; i < 30; i++) {
            post(acceptedProcess(busy));
        }
        assertThat(count("SELECT count(*) FROM steps s JOIN processes p ON p.id = s.process_id "
                + "WHERE p.tenant_id = ? AND s.state = 'QUEUED'", busy)).isEqualTo(29);
        String other = tenant(null);
        CloudEvent accepted = acceptedProcess(other);

        assertThat(post(accepted).statusCode()).isEqualTo(202);

        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1",
                UUID.fromString(accepted.getSubject()))).isEqualTo("LAUNCHING");
        assertThat(count("SELECT count(*) FROM attempts WHERE process_id = ?", UUID.fromString(accepted.getSubject())))
                .isEqualTo(1);
    }

    @Test
    void slotCountCanReadOnlyTheStepsHoldingASlot() throws Exception {
        // The dispatcher's count, as it runs on every event: the partial index steps_active must match its
        // predicate, or a busy tenant's count walks its whole history again. Sequential scans off so the plan
        // shows whether the index can serve the query, whatever the table statistics of this test database.
        try (Connection connection = stack.database().openConnection()) {
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("SET enable_seqscan = off");
            }
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + dev.snapflow.functions.shared.lifecycle.Ledger.SLOT_COUNT_SQL)) {
                explain.setString(1, tenant(1));
                try (ResultSet row = explain.executeQuery()) {
                    while (row.next()) {
                        plan.append(row.getString(1)).append('\n');
                    }
                }
            }
            assertThat(plan.toString()).contains("steps_active");
        }
    }

    /** As callback records a succeeded step 1 and announces it. */
    private void complete(String tenant, UUID processId) throws Exception {
        JobId job = JobId.of(processId.toString(), 1, 1);
        sql("UPDATE attempts SET state = 'SUCCEEDED' WHERE job_id = ?", job.value());
        sql("UPDATE steps SET state = 'SUCCEEDED' WHERE process_id = ? AND step_no = 1", processId);
        CloudEvent completed = Events.newEvent(new StepCompleted(processId.toString(), tenant, "orders", 1, 1,
                job.value(), "ingest", StepOutcome.SUCCEEDED, "s3://snapflow/out/_manifest.json", false, null,
                Instant.now())).source(EventSources.CALLBACK).build();
        assertThat(post(completed).statusCode()).isEqualTo(202);
    }

    private List<String> stepStates(List<CloudEvent> accepted) throws Exception {
        List<String> states = new java.util.ArrayList<>();
        for (CloudEvent event : accepted) {
            states.add(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", UUID.fromString(event.getSubject())));
        }
        return states;
    }

    private List<Long> attemptsOf(List<CloudEvent> accepted) throws Exception {
        List<Long> attempts = new java.util.ArrayList<>();
        for (CloudEvent event : accepted) {
            attempts.add(count("SELECT count(*) FROM attempts WHERE process_id = ?", UUID.fromString(event.getSubject())));
        }
        return attempts;
    }

    @Test
    void processWhoseActionLeftTheCatalogFailsWithActionUnavailableAndOtherTenantsStillDispatch() throws Exception {
        String drifted = tenant(null);
        String healthy = tenant(null);
        CloudEvent vanished = acceptedProcess(drifted, "vanished",
                "s3://snapflow/" + StorageLayout.rawSnapshotManifestKey(new SnapshotRef(drifted, "orders", "v1")));
        UUID vanishedId = UUID.fromString(vanished.getSubject());

        // handled once and for all (not retried forever): the process fails with a class a user can read
        assertThat(post(vanished).statusCode()).isEqualTo(202);

        assertThat(text("SELECT state || ' ' || error_class FROM processes WHERE id = ?", vanishedId))
                .isEqualTo("FAILED ACTION_UNAVAILABLE");
        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", vanishedId))
                .isEqualTo("FAILED,SKIPPED");
        assertThat(count("SELECT count(*) FROM attempts WHERE process_id = ?", vanishedId)).isZero();
        ProcessFailed failed = Events.read(Events.fromJson(bytes("SELECT event FROM outbox WHERE event_id = ?",
                "process-failed-" + vanishedId)), ProcessFailed.class);
        assertThat(failed.errorClass()).isEqualTo(ErrorClass.ACTION_UNAVAILABLE);
        assertThat(failed.message()).contains("vanished");

        CloudEvent other = acceptedProcess(healthy);
        assertThat(post(other).statusCode()).isEqualTo(202);
        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1",
                UUID.fromString(other.getSubject()))).isEqualTo("LAUNCHING");
    }

    @Test
    void sweepDispatchesEveryTenantWhenOneTenantsDispatchFails() throws Exception {
        String broken = tenant(null);
        String healthy = tenant(null);
        // A queued step whose dispatch throws (its input is no S3 URI), as any tenant-specific failure would.
        UUID brokenId = UUID.fromString(acceptedProcess(broken).getSubject());
        UUID healthyId = UUID.fromString(acceptedProcess(healthy).getSubject());
        sql("UPDATE steps SET input_manifest = 'not-an-s3-uri' WHERE process_id = ? AND step_no = 1", brokenId);
        for (UUID id : List.of(brokenId, healthyId)) {
            sql("UPDATE processes SET state = 'QUEUED' WHERE id = ?", id);
            sql("UPDATE steps SET state = 'QUEUED', queued_at = now() WHERE process_id = ? AND step_no = 1", id);
        }
        JobDispatcher dispatcher = server.getApplicationContext().getBean(JobDispatcher.class);
        try {
            assertThat(dispatcher.dispatchAllReady()).isGreaterThanOrEqualTo(1);

            assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", healthyId)).isEqualTo("LAUNCHING");
            assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", brokenId)).isEqualTo("QUEUED");
        } finally {
            // leave no step behind that fails every later dispatch in this JVM
            sql("UPDATE steps SET state = 'CANCELLED' WHERE process_id = ?", brokenId);
        }
    }

    @Test
    void acceptedEventOfAnUnknownProcessIsRejected() throws Exception {
        String tenant = tenant(null);
        CloudEvent accepted = acceptedProcess(tenant);
        sql("DELETE FROM steps WHERE process_id = ?", UUID.fromString(accepted.getSubject()));
        sql("DELETE FROM processes WHERE id = ?", UUID.fromString(accepted.getSubject()));

        HttpResponse<String> response = post(accepted);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("does not exist");
    }

    private HttpResponse<String> post(CloudEvent event) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve("/"))
                .header("Authorization", "Bearer " + issuer.token(TestIssuer.TRIGGER_SUBJECT, "enqueue"));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, b -> body[0] = b).writeBinary(event);
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build(),
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

    private byte[] bytes(String sql, Object arg) throws Exception {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, arg);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getBytes(1);
            }
        }
    }

    private String text(String sql, Object arg) throws Exception {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, arg);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    private long count(String sql, Object arg) throws Exception {
        return Long.parseLong(text(sql, arg));
    }
}
