package dev.snapflow.functions.shared.lifecycle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.events.ProcessAccepted;
import dev.snapflow.contracts.events.ProcessFailed;
import dev.snapflow.contracts.events.ProcessSucceeded;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.functions.shared.domain.AttemptOutcome;
import dev.snapflow.functions.shared.domain.LifecycleDecider;
import dev.snapflow.functions.shared.domain.NextMove;
import dev.snapflow.functions.shared.domain.ProcessState;
import dev.snapflow.functions.shared.domain.RetryPolicy;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.DeadLetterStore;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger's writes on real PostgreSQL (the local stack's), each as one transaction like its callers run it. */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerTest {
    private final Ledger ledger = new Ledger();
    private final LifecycleDecider decider = new LifecycleDecider(new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(5)));
    private Database database;

    @BeforeAll
    void migrate(LocalStack stack) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(stack.database().jdbcUrl());
        dataSource.setUser(stack.database().username());
        dataSource.setPassword(stack.database().password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        database = new Database(dataSource);
    }

    @Test
    void slotStatesAreExactlyThePredicateOfTheStepsActiveIndex() throws IOException {
        // A query the partial index serves must repeat its predicate literally.
        try (InputStream migration = getClass().getResourceAsStream("/db/migration/V2__steps_active_index.sql")) {
            String sql = new String(migration.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(sql).contains("WHERE state IN (" + Ledger.SLOT_STATES + ")");
        }
        assertThat(Ledger.SLOT_STATES).isEqualTo("'LAUNCHING', 'RUNNING'");
    }

    @Test
    void acceptedProcessIsStoredWithPendingStepsAndItsEvent() throws Exception {
        UUID id = accept(tenant(null), "clean", "aggregate");

        assertThat(text("SELECT state FROM processes WHERE id = ?", id)).isEqualTo("ACCEPTED");
        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", id))
                .isEqualTo("PENDING,PENDING");
        assertThat(text("SELECT input_manifest FROM steps WHERE process_id = ? AND step_no = 1", id)).isEqualTo(input(id));
        assertThat(outboxHas("process-accepted-" + id)).isTrue();
    }

    @Test
    void firstStepIsQueuedOnceEvenWhenAskedTwice() throws Exception {
        String tenant = tenant(null);
        UUID id = accept(tenant, "clean");

        Optional<Ledger.QueuedProcess> first = database.inTransaction(c -> ledger.queueFirstStep(c, id));
        Optional<Ledger.QueuedProcess> again = database.inTransaction(c -> ledger.queueFirstStep(c, id));
        Optional<Ledger.QueuedProcess> unknown = database.inTransaction(c -> ledger.queueFirstStep(c, UUID.randomUUID()));

        assertThat(first).contains(new Ledger.QueuedProcess(tenant, true));
        assertThat(again).contains(new Ledger.QueuedProcess(tenant, false));
        assertThat(unknown).isEmpty();
        assertThat(text("SELECT state FROM processes WHERE id = ?", id)).isEqualTo("QUEUED");
        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", id)).isEqualTo("QUEUED");
    }

    @Test
    void claimingNeverHandsOutMoreStepsThanTheTenantHasFreeSlots() throws Exception {
        String tenant = tenant(1);
        UUID first = queued(tenant, "clean");
        UUID second = queued(tenant, "clean");

        List<Ledger.ReadyStep> claimed = database.inTransaction(c -> {
            List<Ledger.ReadyStep> ready = ledger.claimReadySteps(c, tenant, 4);
            for (Ledger.ReadyStep step : ready) {
                start(c, tenant, step);
            }
            return ready;
        });

        assertThat(claimed).extracting(Ledger.ReadyStep::processId).containsExactly(first);
        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", first)).isEqualTo("LAUNCHING");
        assertThat(text("SELECT state FROM attempts WHERE job_id = ?", JobId.of(first.toString(), 1, 1).value()))
                .isEqualTo("LAUNCHING");
        assertThat(outboxHas("job-requested-" + JobId.of(first.toString(), 1, 1))).isTrue();
        List<Ledger.ReadyStep> atLimit = database.inTransaction(c -> ledger.claimReadySteps(c, tenant, 4));
        assertThat(atLimit).isEmpty();
        assertThat(text("SELECT state FROM steps WHERE process_id = ? AND step_no = 1", second)).isEqualTo("QUEUED");
    }

    @Test
    void succeededFirstStepQueuesTheNextWithItsOutputAsInput() throws Exception {
        UUID id = launched(tenant(null), "clean", "aggregate");
        JobId job = JobId.of(id.toString(), 1, 1);

        finish(job, new AttemptOutcome.Succeeded("s3://snapflow/out/1/_manifest.json", false));

        assertThat(text("SELECT state FROM attempts WHERE job_id = ?", job.value())).isEqualTo("SUCCEEDED");
        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", id))
                .isEqualTo("SUCCEEDED,QUEUED");
        assertThat(text("SELECT input_manifest FROM steps WHERE process_id = ? AND step_no = 2", id))
                .isEqualTo("s3://snapflow/out/1/_manifest.json");
        assertThat(outboxHas("step-completed-" + job)).isTrue();
    }

    @Test
    void succeededLastStepSucceedsTheProcessAndAnnouncesItsResults() throws Exception {
        UUID id = launched(tenant(null), "clean");
        JobId job = JobId.of(id.toString(), 1, 1);

        Ledger.ProcessEnded ended = finish(job, new AttemptOutcome.Succeeded("s3://snapflow/out/_manifest.json", true));

        assertThat(text("SELECT state FROM processes WHERE id = ?", id)).isEqualTo("SUCCEEDED");
        assertThat(ended.eventType()).isEqualTo("process.succeeded");
        assertThat(((ProcessSucceeded) ended.data()).steps()).singleElement()
                .satisfies(step -> assertThat(step.cached()).isTrue());
        assertThat(outboxHas("process-succeeded-" + id)).isTrue();
    }

    @Test
    void retryableFailureQueuesTheStepAgainAfterItsBackoff() throws Exception {
        UUID id = launched(tenant(null), "clean");
        JobId job = JobId.of(id.toString(), 1, 1);

        assertThat(finish(job, new AttemptOutcome.Failed(ErrorClass.TRANSIENT, "s3 timeout"))).isNull();

        assertThat(text("SELECT state FROM attempts WHERE job_id = ?", job.value())).isEqualTo("FAILED");
        assertThat(text("SELECT state FROM steps WHERE process_id = ?", id)).isEqualTo("QUEUED");
        assertThat(text("SELECT (not_before > now() + interval '20 seconds')::text FROM steps WHERE process_id = ?", id))
                .isEqualTo("true");
        assertThat(text("SELECT state FROM processes WHERE id = ?", id)).isEqualTo("QUEUED");
    }

    @Test
    void failureForGoodFailsStepAndProcessAndSkipsTheRest() throws Exception {
        UUID id = launched(tenant(null), "clean", "aggregate");
        JobId job = JobId.of(id.toString(), 1, 1);

        Ledger.ProcessEnded ended = finish(job, new AttemptOutcome.Failed(ErrorClass.INVALID_DATA, "bad rows"));

        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", id))
                .isEqualTo("FAILED,SKIPPED");
        assertThat(text("SELECT state || ' ' || error_class FROM processes WHERE id = ?", id)).isEqualTo("FAILED INVALID_DATA");
        assertThat(((ProcessFailed) ended.data()).message()).isEqualTo("step 1 (clean) failed after 1 attempt: bad rows");
    }

    @Test
    void cancelCancelsUnfinishedStepsAndRunningAttemptsAndLeavesAnEndedProcessAlone() throws Exception {
        String tenant = tenant(null);
        UUID id = launched(tenant, "clean", "aggregate");

        Ledger.Cancellation cancelled = database.inTransaction(c -> ledger.cancelProcess(c, tenant, id, "no longer needed"));

        assertThat(cancelled.result()).isEqualTo(Ledger.CancelResult.CANCELLED);
        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", id))
                .isEqualTo("CANCELLED,CANCELLED");
        assertThat(text("SELECT state FROM attempts WHERE process_id = ?", id)).isEqualTo("CANCELLED");
        assertThat(outboxHas("process-cancelled-" + id)).isTrue();
        assertThat(database.inTransaction(c -> ledger.cancelProcess(c, tenant, id, null)).result())
                .isEqualTo(Ledger.CancelResult.ALREADY_CANCELLED);
        assertThat(database.inTransaction(c -> ledger.cancelProcess(c, "someone-else", id, null)).result())
                .isEqualTo(Ledger.CancelResult.NOT_FOUND);

        UUID done = launched(tenant, "clean");
        finish(JobId.of(done.toString(), 1, 1), new AttemptOutcome.Succeeded("s3://snapflow/o/_manifest.json", false));
        Ledger.Cancellation ended = database.inTransaction(c -> ledger.cancelProcess(c, tenant, done, null));
        assertThat(ended).isEqualTo(new Ledger.Cancellation(Ledger.CancelResult.ALREADY_ENDED, ProcessState.SUCCEEDED));
    }

    @Test
    void stepWhoseActionLeftTheCatalogFailsItsProcessWithActionUnavailable() throws Exception {
        String tenant = tenant(null);
        UUID id = queued(tenant, "vanished", "aggregate");

        database.inTransaction(c -> {
            for (Ledger.ReadyStep step : ledger.claimReadySteps(c, tenant, 4)) {
                Instant now = Instant.now();
                assertThat(ledger.failUnstartableStep(c, tenant, step,
                        facts -> decider.decide(new AttemptOutcome.ActionUnavailable(step.action()), facts, now), now))
                        .get().isInstanceOf(NextMove.ProcessFailed.class);
            }
            return null;
        });

        assertThat(text("SELECT state || ' ' || error_class FROM processes WHERE id = ?", id))
                .isEqualTo("FAILED ACTION_UNAVAILABLE");
        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", id))
                .isEqualTo("FAILED,SKIPPED");
        ProcessFailed failed = Events.read(Events.fromJson(bytes("SELECT event FROM outbox WHERE event_id = ?",
                "process-failed-" + id)), ProcessFailed.class);
        assertThat(failed.errorClass()).isEqualTo(ErrorClass.ACTION_UNAVAILABLE);
        assertThat(failed.message()).contains("vanished");
    }

    @Test
    void anAttemptIsOverdueOnlyPastItsDeadlineAndASignOfLifeMovesTheDeadlineAndResetsItsRedrives() throws Exception {
        UUID id = launched(tenant(null), "clean");
        JobId jobId = JobId.of(id.toString(), 1, 1);
        Instant later = Instant.now().plusSeconds(200);

        List<Ledger.OverdueAttempt> now = database.inTransaction(c -> ledger.overdueAttempts(c, Instant.now(), 10_000));
        List<Ledger.OverdueAttempt> then = database.inTransaction(c -> ledger.overdueAttempts(c, later, 10_000));
        Optional<Ledger.JobRecord> notYet = database.inTransaction(c -> ledger.lockOverdueJob(c, jobId, Instant.now()));
        assertThat(now).extracting(Ledger.OverdueAttempt::jobId).doesNotContain(jobId);
        assertThat(then).extracting(Ledger.OverdueAttempt::jobId).contains(jobId);
        assertThat(notYet).isEmpty();

        database.inTransaction(c -> {
            Ledger.JobRecord job = ledger.lockOverdueJob(c, jobId, later).orElseThrow();
            ledger.redriveAttempt(c, job, 1, later.plusSeconds(60), CloudEventBuilder.from(Events.fromJson(
                    bytes("SELECT event FROM outbox WHERE event_id = ?", "job-requested-" + jobId))).withId(
                    "job-requested-" + jobId + "/redrive-1").build());
            return null;
        });
        assertThat(outboxHas("job-requested-" + jobId + "/redrive-1")).isTrue();
        assertThat(text("SELECT redrives FROM attempts WHERE job_id = ?", jobId.value())).isEqualTo("1");
        Optional<Ledger.JobRecord> waiting = database.inTransaction(c -> ledger.lockOverdueJob(c, jobId, later));
        assertThat(waiting).isEmpty();

        database.inTransaction(c -> {
            ledger.markRunning(c, ledger.lockJob(c, jobId).orElseThrow(), null, null, later.plusSeconds(600));
            return null;
        });
        Ledger.JobRecord running = database.inTransaction(c -> ledger.lockJob(c, jobId).orElseThrow());
        assertThat(running.redrives()).isZero();
        // PostgreSQL rounds to microseconds (half up), so the stored instant is within a microsecond of the given one
        assertThat(running.deadlineAt()).isCloseTo(later.plusSeconds(600),
                org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MICROS));
        assertThat(running.outputPrefix()).endsWith(jobId.value() + "/");
    }

    @Test
    void aProcessStillAcceptedIsListedReDrivenWithARebuiltProcessAcceptedAndThenNotBeforeItsNextPeriod() throws Exception {
        UUID id = accept(tenant(null), "clean", "aggregate");
        Instant later = Instant.now().plusSeconds(1);

        List<Ledger.UnqueuedProcess> unqueued = database.inTransaction(c -> ledger.unqueuedProcesses(c, later, 10_000));
        assertThat(unqueued).extracting(Ledger.UnqueuedProcess::processId).contains(id);
        database.inTransaction(c -> {
            assertThat(ledger.lockUnqueuedProcess(c, id, later)).contains(0);
            ledger.redriveAccepted(c, id, 1, Instant.now().plusSeconds(5));
            return null;
        });

        CloudEvent redriven = Events.fromJson(bytes("SELECT event FROM outbox WHERE event_id = ?",
                "process-accepted-" + id + "/redrive-1"));
        assertThat(redriven.getExtension(Events.REDRIVE)).isEqualTo(1);
        ProcessAccepted accepted = Events.read(redriven, ProcessAccepted.class);
        assertThat(accepted.processId()).isEqualTo(id.toString());
        assertThat(accepted.steps()).extracting(ProcessAccepted.PipelineStep::action).containsExactly("clean", "aggregate");
        Optional<Integer> again = database.inTransaction(c -> ledger.lockUnqueuedProcess(c, id, later));
        assertThat(again).isEmpty();
        assertThat(text("SELECT redrives FROM processes WHERE id = ?", id)).isEqualTo("1");
    }

    @Test
    void failingAnAcceptedProcessSkipsItsStepsAndAnnouncesTheNamedErrorClass() throws Exception {
        UUID id = accept(tenant(null), "clean", "aggregate");

        Optional<Ledger.FailedProcess> failed = database.inTransaction(c -> ledger.failProcess(c, id, true,
                facts -> decider.decide(new AttemptOutcome.Undeliverable("process.accepted", "lost"), facts, Instant.now()),
                EventSources.CALLBACK, Instant.now()));

        assertThat(failed).isPresent();
        assertThat(text("SELECT state || ' ' || error_class FROM processes WHERE id = ?", id))
                .isEqualTo("FAILED EVENT_UNDELIVERABLE");
        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", id))
                .isEqualTo("SKIPPED,SKIPPED");
        ProcessFailed event = Events.read(Events.fromJson(bytes("SELECT event FROM outbox WHERE event_id = ?",
                "process-failed-" + id)), ProcessFailed.class);
        assertThat(event.errorClass()).isEqualTo(ErrorClass.EVENT_UNDELIVERABLE);
        assertThat(event.failedStep()).isNull();
        Optional<Ledger.FailedProcess> twice = database.inTransaction(c -> ledger.failProcess(c, id, true,
                facts -> decider.decide(new AttemptOutcome.Undeliverable("x", "y"), facts, Instant.now()),
                EventSources.CALLBACK, Instant.now()));
        assertThat(twice).isEmpty();
    }

    @Test
    void failingALaunchingProcessFailsItsAttemptAndStepAndFreesTheSlot() throws Exception {
        String tenant = tenant(null);
        UUID id = launched(tenant, "clean", "aggregate");

        database.inTransaction(c -> ledger.failProcess(c, id, false,
                facts -> decider.decide(new AttemptOutcome.Undeliverable("job.requested", "dead-lettered"), facts, Instant.now()),
                EventSources.VALIDATE, Instant.now()));

        assertThat(text("SELECT state || ' ' || error_class FROM attempts WHERE process_id = ?", id))
                .isEqualTo("FAILED EVENT_UNDELIVERABLE");
        assertThat(text("SELECT string_agg(state, ',' ORDER BY step_no) FROM steps WHERE process_id = ?", id))
                .isEqualTo("FAILED,SKIPPED");
        assertThat(text("SELECT state FROM processes WHERE id = ?", id)).isEqualTo("FAILED");
        assertThat(text(Ledger.SLOT_COUNT_SQL, tenant)).isEqualTo("0");
    }

    @Test
    void aDeadLetteredJobRequestEndsItsProcessFailedWithEventUndeliverableOnceRecorded() throws Exception {
        UUID id = launched(tenant(null), "clean");
        JobId jobId = JobId.of(id.toString(), 1, 1);
        byte[] event = bytes("SELECT event FROM outbox WHERE event_id = ?", "job-requested-" + jobId);
        DeadLetterStore store = new DeadLetterStore(database, ledger);

        boolean recorded = store.record(new DeadLetterStore.Incoming("snapflow-jobs/0@" + id, "job-requested-" + jobId,
                "dev.snapflow.job.requested.v1", "t/orders", "snapflow-jobs", "snapflow-launch",
                "permanent: the backend refused it", event, true, event.length, "digest"));

        assertThat(recorded).isTrue();
        assertThat(text("SELECT state || ' ' || error_class FROM processes WHERE id = ?", id))
                .isEqualTo("FAILED EVENT_UNDELIVERABLE");
        assertThat(text("SELECT error_message FROM processes WHERE id = ?", id))
                .contains("job.requested did not get through: dead-lettered by snapflow-launch: permanent: the backend refused it");
        assertThat(text("SELECT state FROM attempts WHERE job_id = ?", jobId.value())).isEqualTo("FAILED");
    }

    // ---- fixtures: rows as the ledger's own methods leave them

    private Ledger.ProcessEnded finish(JobId jobId, AttemptOutcome outcome) {
        return database.inTransaction(c -> {
            Ledger.JobRecord job = ledger.lockJob(c, jobId).orElseThrow();
            NextMove move = decider.decide(outcome, job.facts(), Instant.now());
            Boolean cached = outcome instanceof AttemptOutcome.Succeeded s ? s.cached() : null;
            return ledger.finishAttempt(c, job, move, cached, Map.of("rowsOut", 3), Instant.now()).orElse(null);
        });
    }

    private UUID launched(String tenant, String... actions) {
        UUID id = queued(tenant, actions);
        database.inTransaction(c -> {
            for (Ledger.ReadyStep step : ledger.claimReadySteps(c, tenant, 100)) {
                if (step.processId().equals(id)) {
                    start(c, tenant, step);
                }
            }
            return null;
        });
        return id;
    }

    private UUID queued(String tenant, String... actions) {
        UUID id = accept(tenant, actions);
        database.inTransaction(c -> ledger.queueFirstStep(c, id));
        return id;
    }

    private void start(Connection c, String tenant, Ledger.ReadyStep step) throws SQLException {
        JobId jobId = JobId.of(step.processId().toString(), step.stepNo(), step.currentAttempt() + 1);
        String outputPrefix = "s3://snapflow/" + tenant + "/orders/v1/silver/" + step.action() + "/" + jobId.value() + "/";
        Instant now = Instant.now();
        JobArguments arguments = new JobArguments(tenant, step.entity(), step.dataVersion(), step.action(), step.params(),
                step.inputManifest(), outputPrefix, step.processId().toString(), step.stepNo(), jobId.attempt(),
                "http://callback.example/v1/jobs/" + jobId.value() + "/status");
        ledger.startAttempt(c, step, jobId, outputPrefix, Events.newEvent(JobRequested.of(arguments, 60, now))
                .source(EventSources.ENQUEUE).id("job-requested-" + jobId.value()).time(now).build(), now, now.plusSeconds(120));
    }

    private UUID accept(String tenant, String... actions) {
        UUID id = UUID.randomUUID();
        List<Ledger.NewStep> steps = java.util.Arrays.stream(actions)
                .map(action -> new Ledger.NewStep(action, JsonNodeFactory.instance.objectNode(), 3)).toList();
        database.inTransaction(c -> {
            ledger.acceptProcess(c, new Ledger.NewProcess(id, tenant, "orders", "v1", "v1", "refresh", true,
                    JsonNodeFactory.instance.objectNode(), input(id), null, null, "hash", "api", steps, Instant.now()));
            return null;
        });
        return id;
    }

    private static String input(UUID id) {
        return "s3://snapflow/raw/" + id + "/_manifest.json";
    }

    private String tenant(Integer limit) {
        String tenant = "ledger-" + UUID.randomUUID().toString().substring(0, 8);
        database.inTransaction(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO tenants (id, display_name, webhook_secret, max_concurrent_jobs) VALUES (?, ?, ?, ?)")) {
                insert.setString(1, tenant);
                insert.setString(2, tenant);
                insert.setString(3, WebhookSigner.newSecret());
                insert.setObject(4, limit);
                return insert.executeUpdate();
            }
        });
        return tenant;
    }

    private boolean outboxHas(String eventId) {
        return bytes("SELECT event FROM outbox WHERE event_id = ?", eventId) != null;
    }

    private String text(String sql, Object arg) {
        return database.inTransaction(c -> {
            try (PreparedStatement select = c.prepareStatement(sql)) {
                select.setObject(1, arg);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getString(1) : null;
                }
            }
        });
    }

    private byte[] bytes(String sql, Object arg) {
        return database.inTransaction(c -> {
            try (PreparedStatement select = c.prepareStatement(sql)) {
                select.setObject(1, arg);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getBytes(1) : null;
                }
            }
        });
    }
}
