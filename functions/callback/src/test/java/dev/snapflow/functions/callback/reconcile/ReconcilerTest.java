package dev.snapflow.functions.callback.reconcile;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.events.ProcessFailed;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.callback.status.ReportOutcome;
import dev.snapflow.functions.callback.status.StatusReports;
import dev.snapflow.functions.shared.persistence.Outbox;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciler on the real local stack (PostgreSQL, S3 API, Kafka): attempts and processes seeded as rows in
 * the state a lost report or event leaves them in, then one sweep at a time.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcilerTest {
    private EmbeddedServer server;
    private LocalStack stack;
    private Reconciler reconciler;
    private final String tenant = "rc-" + UUID.randomUUID().toString().substring(0, 8);

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
                Map.entry("snapflow.events.consumer-group", "reconciler-test-" + UUID.randomUUID()),
                Map.entry("snapflow.callback.hmac-key", "reconciler-test-hmac-key-0123456789abcdef"),
                Map.entry("snapflow.s3.endpoint", stack.s3().endpoint().toString()),
                Map.entry("snapflow.s3.region", stack.s3().region()),
                Map.entry("snapflow.s3.access-key", stack.s3().accessKey()),
                Map.entry("snapflow.s3.secret-key", stack.s3().secretKey()),
                // the sweeps run when the test says so
                Map.entry("snapflow.reconcile.interval", "1h"),
                Map.entry("snapflow.reconcile.redrive-wait", "1ms"),
                Map.entry("snapflow.reconcile.max-redrives", "2"),
                Map.entry("snapflow.reconcile.accepted-timeout", "1m")));
        reconciler = server.getApplicationContext().getBean(Reconciler.class);
        sql("INSERT INTO tenants (id, display_name, webhook_secret) VALUES (?, ?, ?)", tenant, tenant,
                WebhookSigner.newSecret());
    }

    @AfterAll
    void stop() {
        server.getApplicationContext().close();
    }

    @Test
    void anOverdueAttemptWhoseOutputIsCommittedSucceedsFromItsManifestAndEndsTheProcess() throws Exception {
        UUID id = seed(1, "RUNNING", 1);
        String prefix = outputPrefix(id);
        try (S3Client s3 = stack.s3().newClient()) {
            s3.putObject(b -> b.bucket(stack.s3().bucket()).key(prefix.substring(("s3://" + stack.s3().bucket() + "/").length())
                    + "_manifest.json"), RequestBody.fromString("{}"));
        }

        Reconciler.Sweep sweep = reconciler.sweep();

        assertThat(sweep.count(Reconciler.Verdict.COMMITTED)).isGreaterThanOrEqualTo(1);
        assertThat(text("SELECT state || ' ' || output_manifest FROM attempts WHERE process_id = ?", id))
                .isEqualTo("SUCCEEDED " + prefix + "_manifest.json");
        assertThat(text("SELECT state FROM processes WHERE id = ?", id)).isEqualTo("SUCCEEDED");
        assertThat(text("SELECT count(*) FROM webhook_deliveries WHERE process_id = ?", id)).isEqualTo("1");
    }

    @Test
    void aDeadlineKillReportedByThePlatformAfterTheJobCommittedItsOutputSucceedsFromTheManifest() throws Exception {
        UUID id = seed(1, "RUNNING", 2);
        String prefix = outputPrefix(id);
        try (S3Client s3 = stack.s3().newClient()) {
            s3.putObject(b -> b.bucket(stack.s3().bucket()).key(prefix.substring(("s3://" + stack.s3().bucket() + "/").length())
                    + "_manifest.json"), RequestBody.fromString("{}"));
        }
        JobId job = JobId.of(id.toString(), 1, 1);
        // the job committed, then kept retrying its final report while callback was away until launch killed it
        JobStatusReport killed = new JobStatusReport(job.value(), 1, JobState.FAILED, Long.MAX_VALUE, Instant.now(),
                null, null, null, null, new JobStatusReport.JobError(ErrorClass.DEADLINE_EXCEEDED, "killed after the timeout"),
                JobStatusReport.REPORTER_KUBERNETES);

        assertThat(server.getApplicationContext().getBean(StatusReports.class).apply(killed)).isEqualTo(ReportOutcome.APPLIED);

        assertThat(text("SELECT state || ' ' || output_manifest FROM attempts WHERE job_id = ?", job.value()))
                .isEqualTo("SUCCEEDED " + prefix + "_manifest.json");
        assertThat(text("SELECT count(*) FROM attempts WHERE process_id = ?", id)).as("no second run").isEqualTo("1");
    }

    @Test
    void anOverdueAttemptWithoutOutputHasItsJobRequestReSentThenIsLostAndRetried() throws Exception {
        UUID id = seed(1, "RUNNING", 2);
        JobId job = JobId.of(id.toString(), 1, 1);

        reconciler.sweep();
        CloudEvent first = event("job-requested-" + job + "/redrive-1");
        assertThat(first.getType()).isEqualTo("dev.snapflow.job.requested.v1");
        assertThat(first.getSource()).isEqualTo(EventSources.CALLBACK);
        assertThat(first.getExtension(Events.REDRIVE)).isEqualTo(1);
        assertThat(first.getExtension(Events.STARTED_BEFORE)).isEqualTo(true);
        assertThat(Events.partitionKey(first)).contains(tenant + "/orders");
        assertThat(Events.read(first, JobRequested.class).jobId()).isEqualTo(job.value());

        reconciler.sweep();
        assertThat(event("job-requested-" + job + "/redrive-2")).isNotNull();
        assertThat(text("SELECT state FROM attempts WHERE job_id = ?", job.value())).isEqualTo("RUNNING");

        reconciler.sweep();
        assertThat(text("SELECT state || ' ' || error_class FROM attempts WHERE job_id = ?", job.value()))
                .isEqualTo("FAILED TRANSIENT");
        assertThat(text("SELECT error_message FROM attempts WHERE job_id = ?", job.value()))
                .startsWith("the job was lost: no sign of life and no committed output after 2 re-sent job requests");
        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", id)).isEqualTo("QUEUED");
        assertThat(text("SELECT state FROM processes WHERE id = ?", id)).isEqualTo("RUNNING");
    }

    @Test
    void aProcessStillAcceptedHasProcessAcceptedReSentThenFailsWithEventUndeliverable() throws Exception {
        UUID id = UUID.randomUUID();
        sql("""
                INSERT INTO processes (id, tenant_id, entity, data_version, requested_version, target, target_kind, params,
                  input_manifest, webhook_url, request_hash, origin, state, created_at, updated_at)
                VALUES (?, ?, 'orders', 'v1', 'v1', 'refresh', 'pipeline', '{}'::jsonb, 's3://snapflow/x/raw/_manifest.json',
                  'http://127.0.0.1:9/hook', 'h', 'api', 'ACCEPTED', now() - interval '1 hour', now() - interval '1 hour')""",
                id, tenant);
        sql("INSERT INTO steps (process_id, step_no, action, params, state, max_attempts) VALUES (?, 1, 'clean', '{}'::jsonb, 'PENDING', 2)", id);

        reconciler.sweep();
        assertThat(event("process-accepted-" + id + "/redrive-1").getExtension(Events.REDRIVE)).isEqualTo(1);
        reconciler.sweep();
        assertThat(text("SELECT redrives FROM processes WHERE id = ?", id)).as("not again before its period").isEqualTo("1");

        sql("UPDATE processes SET updated_at = now() - interval '1 hour' WHERE id = ?", id);
        reconciler.sweep();
        sql("UPDATE processes SET updated_at = now() - interval '1 hour' WHERE id = ?", id);
        reconciler.sweep();

        assertThat(text("SELECT state || ' ' || error_class FROM processes WHERE id = ?", id))
                .isEqualTo("FAILED EVENT_UNDELIVERABLE");
        assertThat(text("SELECT state FROM steps WHERE process_id = ?", id)).isEqualTo("SKIPPED");
        ProcessFailed failed = Events.read(event("process-failed-" + id), ProcessFailed.class);
        assertThat(failed.errorClass()).isEqualTo(ErrorClass.EVENT_UNDELIVERABLE);
        assertThat(failed.message()).contains("process.accepted did not get through",
                "enqueue did not queue the process after 2 re-sent process.accepted events");
    }

    @Test
    void anAttemptBeingWrittenIsSkippedAndTheOthersAreRepairedAllTheSame() throws Exception {
        UUID busy = seed(1, "RUNNING", 2);
        UUID other = seed(1, "LAUNCHING", 2);
        try (Connection holder = stack.database().openConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("SELECT 1 FROM processes WHERE id = ? FOR UPDATE")) {
                lock.setObject(1, busy);
                lock.executeQuery().close();
            }

            Reconciler.Sweep sweep = reconciler.sweep();

            assertThat(sweep.count(Reconciler.Verdict.BUSY)).isGreaterThanOrEqualTo(1);
            assertThat(text("SELECT redrives FROM attempts WHERE process_id = ?", busy)).isEqualTo("0");
            assertThat(text("SELECT redrives FROM attempts WHERE process_id = ?", other)).isEqualTo("1");
            assertThat(event("job-requested-" + JobId.of(other.toString(), 1, 1) + "/redrive-1")
                    .getExtension(Events.STARTED_BEFORE)).isEqualTo(false);
            holder.rollback();
        }
    }

    // ---- fixtures: rows as enqueue and callback leave them, the deadline already passed

    private String outputPrefix(UUID id) {
        return "s3://" + stack.s3().bucket() + "/" + tenant + "/orders/v1/silver/out-" + id + "/";
    }

    /** A one-step process whose attempt {@code attempt} is in {@code state} and overdue, with its job.requested in the outbox. */
    private UUID seed(int attempt, String state, int maxAttempts) throws Exception {
        UUID id = UUID.randomUUID();
        String processState = state.equals("RUNNING") ? "RUNNING" : "QUEUED";
        sql("""
                INSERT INTO processes (id, tenant_id, entity, data_version, requested_version, target, target_kind, params,
                  input_manifest, webhook_url, request_hash, origin, state)
                VALUES (?, ?, 'orders', 'v1', 'v1', 'clean', 'action', '{}'::jsonb, 's3://snapflow/x/raw/_manifest.json',
                  'http://127.0.0.1:9/hook', 'h', 'api', ?)""", id, tenant, processState);
        sql("""
                INSERT INTO steps (process_id, step_no, action, params, state, max_attempts, current_attempt, input_manifest)
                VALUES (?, 1, 'clean', '{}'::jsonb, ?, ?, ?, 's3://snapflow/x/raw/_manifest.json')""",
                id, state, maxAttempts, attempt);
        JobId job = JobId.of(id.toString(), 1, attempt);
        sql("""
                INSERT INTO attempts (job_id, process_id, step_no, attempt, state, output_prefix, deadline_at)
                VALUES (?, ?, 1, ?, ?, ?, now() - interval '1 second')""", job.value(), id, attempt, state, outputPrefix(id));
        JobArguments arguments = new JobArguments(tenant, "orders", "v1", "clean", "{}", "s3://snapflow/x/raw/_manifest.json",
                outputPrefix(id), id.toString(), 1, attempt, "http://127.0.0.1:8083/v1/jobs/" + job + "/status");
        CloudEvent requested = Events.newEvent(JobRequested.of(arguments, 60, Instant.now()))
                .source(EventSources.ENQUEUE).id("job-requested-" + job).build();
        try (Connection connection = stack.database().openConnection()) {
            Outbox.append(connection, requested);
        }
        return id;
    }

    private CloudEvent event(String eventId) throws Exception {
        try (Connection connection = stack.database().openConnection()) {
            return Outbox.find(connection, eventId).orElseThrow(() -> new AssertionError("no event " + eventId));
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

    private String text(String sql, Object arg) throws Exception {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, arg);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }
}
