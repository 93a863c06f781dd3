package dev.snapflow.functions.callback.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessFailed;
import dev.snapflow.contracts.events.ProcessSucceeded;
import dev.snapflow.contracts.events.StepCompleted;
import dev.snapflow.contracts.events.StepOutcome;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.callback.CallbackConfiguration;
import dev.snapflow.functions.callback.webhooks.WebhookOutbox;
import dev.snapflow.functions.shared.domain.AttemptState;
import dev.snapflow.functions.shared.domain.ProcessState;
import dev.snapflow.functions.shared.domain.RetryPolicy;
import dev.snapflow.functions.shared.domain.StateMachine;
import dev.snapflow.functions.shared.domain.StepState;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.Outbox;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one handler of job status, whether a job posted it or the Kubernetes watcher sent it as job.status.
 * In one transaction per report: checks it belongs to the step's current attempt and is newer than what was
 * applied (sequence), moves attempt, step and process through the state machine, queues the next step or a
 * retry (retryable error, attempts left, with backoff), or finishes the process; writes step.completed,
 * process.succeeded/failed and the webhook delivery with it.
 */
@Singleton
public class StatusReports {
    private static final Logger LOG = LoggerFactory.getLogger(StatusReports.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final OutboxRelay relay;
    private final WebhookOutbox webhooks;
    private final RetryPolicy retryPolicy;
    private final MeterRegistry meters;

    public StatusReports(Database database, OutboxRelay relay, WebhookOutbox webhooks, CallbackConfiguration config,
                         MeterRegistry meters) {
        this.database = database;
        this.relay = relay;
        this.webhooks = webhooks;
        this.retryPolicy = new RetryPolicy(config.retryBaseDelay(), config.retryMaxDelay());
        this.meters = meters;
    }

    /** Whether the job is one we launched (for 404 before anything else). */
    public boolean knows(JobId jobId) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM attempts WHERE job_id = ?")) {
                select.setString(1, jobId.value());
                try (ResultSet row = select.executeQuery()) {
                    return row.next();
                }
            }
        });
    }

    /** Records that launch started the job (job.launched). */
    public ReportOutcome launched(JobId jobId, String backend, String backendRef, Instant launchedAt) {
        ReportOutcome outcome = database.inTransaction(connection -> {
            Context ctx = lock(connection, jobId);
            if (ctx == null) {
                return ReportOutcome.UNKNOWN_JOB;
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE attempts SET launched_at = COALESCE(launched_at, ?), backend = ?, backend_ref = ? WHERE job_id = ?")) {
                update.setTimestamp(1, Timestamp.from(launchedAt));
                update.setString(2, backend);
                update.setString(3, backendRef);
                update.setString(4, jobId.value());
                update.executeUpdate();
            }
            if (ctx.attemptState.terminal() || ctx.processState.terminal()) {
                return ReportOutcome.ALREADY_FINISHED;
            }
            if (ctx.currentAttempt != jobId.attempt()) {
                return ReportOutcome.STALE_ATTEMPT;
            }
            markRunning(connection, ctx, null);
            return ReportOutcome.APPLIED;
        });
        meters.counter("snapflow.jobs.launched_reports", "outcome", outcome.name().toLowerCase()).increment();
        return outcome;
    }

    public ReportOutcome apply(JobStatusReport report) {
        JobId jobId = new JobId(report.jobId());
        ReportOutcome outcome = database.inTransaction(connection -> {
            Context ctx = lock(connection, jobId);
            if (ctx == null) {
                return ReportOutcome.UNKNOWN_JOB;
            }
            if (report.sequence() <= ctx.lastSequence) {
                return ReportOutcome.DUPLICATE;
            }
            if (ctx.attemptState.terminal() || ctx.processState.terminal()) {
                return sameEnd(ctx.attemptState, report.state()) ? ReportOutcome.DUPLICATE : ReportOutcome.ALREADY_FINISHED;
            }
            if (ctx.currentAttempt != jobId.attempt()) {
                return ReportOutcome.STALE_ATTEMPT;
            }
            try (PreparedStatement seq = connection.prepareStatement(
                    "UPDATE attempts SET last_sequence = ? WHERE job_id = ?")) {
                seq.setLong(1, report.sequence());
                seq.setString(2, jobId.value());
                seq.executeUpdate();
            }
            switch (report.state()) {
                case RUNNING -> markRunning(connection, ctx, report);
                case SUCCEEDED -> succeeded(connection, ctx, report);
                case FAILED -> failed(connection, ctx, report.error() == null ? ErrorClass.INTERNAL : report.error().errorClass(),
                        report.error() == null ? "the job reported FAILED without an error" : report.error().message());
            }
            return ReportOutcome.APPLIED;
        });
        meters.counter("snapflow.status_reports", "state", report.state().name(), "outcome",
                outcome.name().toLowerCase()).increment();
        if (outcome == ReportOutcome.APPLIED && report.state().terminal()) {
            relay.flushQuietly();
            webhooks.deliverDueQuietly();
        }
        return outcome;
    }

    private static boolean sameEnd(AttemptState state, JobState reported) {
        return state.name().equals(reported.name());
    }

    private void markRunning(Connection connection, Context ctx, JobStatusReport report) throws SQLException {
        Instant now = Instant.now();
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE attempts SET state = ?, started_at = COALESCE(started_at, ?), progress = COALESCE(?::jsonb, progress)
                WHERE job_id = ?""")) {
            update.setString(1, StateMachine.require(ctx.attemptState, AttemptState.RUNNING).name());
            // started_at is when the job itself first reported: launch's view is launched_at.
            update.setTimestamp(2, report == null ? null : Timestamp.from(now));
            update.setString(3, report == null || report.progress() == null ? null : json(report.progress()));
            update.setString(4, ctx.jobId.value());
            update.executeUpdate();
        }
        setStep(connection, ctx, StepState.RUNNING, null, null, null, false);
        if (ctx.processState != ProcessState.RUNNING) {
            setProcess(connection, ctx.processId, StateMachine.require(ctx.processState, ProcessState.RUNNING), null, null);
        }
    }

    private void succeeded(Connection connection, Context ctx, JobStatusReport report) throws SQLException {
        Instant now = Instant.now();
        if (report.outputManifest() == null) {
            failed(connection, ctx, ErrorClass.INTERNAL, "the job reported SUCCEEDED without an output manifest");
            return;
        }
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE attempts SET state = ?, started_at = COALESCE(started_at, ?), finished_at = ?, output_manifest = ?,
                    cached = ?, metrics = ?::jsonb WHERE job_id = ?""")) {
            update.setString(1, StateMachine.require(ctx.attemptState, AttemptState.SUCCEEDED).name());
            update.setTimestamp(2, Timestamp.from(now));
            update.setTimestamp(3, Timestamp.from(now));
            update.setString(4, report.outputManifest());
            update.setObject(5, report.cached());
            update.setString(6, report.metrics() == null ? null : json(report.metrics()));
            update.setString(7, ctx.jobId.value());
            update.executeUpdate();
        }
        setStep(connection, ctx, StepState.SUCCEEDED, report.outputManifest(), null, null, true);
        boolean last = ctx.stepNo == ctx.stepCount;
        if (!last) {
            try (PreparedStatement next = connection.prepareStatement("""
                    UPDATE steps SET state = ?, input_manifest = ?, queued_at = ? WHERE process_id = ? AND step_no = ?""")) {
                next.setString(1, StateMachine.require(StepState.PENDING, StepState.QUEUED).name());
                next.setString(2, report.outputManifest());
                next.setTimestamp(3, Timestamp.from(now));
                next.setObject(4, ctx.processId);
                next.setInt(5, ctx.stepNo + 1);
                next.executeUpdate();
            }
        }
        stepCompleted(connection, ctx, StepOutcome.SUCCEEDED, report.outputManifest(), report.cached(), null, now);
        if (last) {
            setProcess(connection, ctx.processId, StateMachine.require(ctx.processState, ProcessState.SUCCEEDED), null, null);
            ProcessSucceeded succeeded = new ProcessSucceeded(ctx.processId.toString(), ctx.tenant, ctx.entity,
                    ctx.dataVersion, ctx.target, stepResults(connection, ctx.processId), ctx.idempotencyKey, now);
            Outbox.append(connection, Events.newEvent(succeeded).source(EventSources.CALLBACK)
                    .id("process-succeeded-" + ctx.processId).time(now).build());
            webhooks.enqueue(connection, ctx.processId, ctx.tenant, ctx.webhookUrl, "process.succeeded",
                    Events.toJsonNode(succeeded), now);
            meters.counter("snapflow.processes.finished", "state", "SUCCEEDED").increment();
        }
    }

    private void failed(Connection connection, Context ctx, ErrorClass errorClass, String message) throws SQLException {
        Instant now = Instant.now();
        String text = message == null || message.isBlank() ? errorClass.name() : message;
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE attempts SET state = ?, finished_at = ?, error_class = ?, error_message = ? WHERE job_id = ?""")) {
            update.setString(1, StateMachine.require(ctx.attemptState, AttemptState.FAILED).name());
            update.setTimestamp(2, Timestamp.from(now));
            update.setString(3, errorClass.name());
            update.setString(4, text);
            update.setString(5, ctx.jobId.value());
            update.executeUpdate();
        }
        int attempt = ctx.jobId.attempt();
        if (retryPolicy.shouldRetry(errorClass, attempt, ctx.maxAttempts)) {
            Instant notBefore = now.plus(retryPolicy.delayAfter(attempt));
            try (PreparedStatement retry = connection.prepareStatement("""
                    UPDATE steps SET state = ?, not_before = ?, queued_at = ?, error_class = ?, error_message = ?
                    WHERE process_id = ? AND step_no = ?""")) {
                retry.setString(1, StateMachine.require(ctx.stepState, StepState.QUEUED).name());
                retry.setTimestamp(2, Timestamp.from(notBefore));
                retry.setTimestamp(3, Timestamp.from(now));
                retry.setString(4, errorClass.name());
                retry.setString(5, text);
                retry.setObject(6, ctx.processId);
                retry.setInt(7, ctx.stepNo);
                retry.executeUpdate();
            }
            meters.counter("snapflow.steps.retries", "errorClass", errorClass.name()).increment();
            LOG.info("job {} failed ({}: {}); attempt {} of {} starts after {}", ctx.jobId, errorClass, text,
                    attempt + 1, ctx.maxAttempts, notBefore);
            stepCompleted(connection, ctx, StepOutcome.FAILED, null, null,
                    new dev.snapflow.contracts.jobs.JobStatusReport.JobError(errorClass, text), now);
            return;
        }
        setStep(connection, ctx, StepState.FAILED, null, errorClass.name(), text, true);
        try (PreparedStatement skip = connection.prepareStatement(
                "UPDATE steps SET state = ? WHERE process_id = ? AND step_no > ? AND state = ?")) {
            skip.setString(1, StateMachine.require(StepState.PENDING, StepState.SKIPPED).name());
            skip.setObject(2, ctx.processId);
            skip.setInt(3, ctx.stepNo);
            skip.setString(4, StepState.PENDING.name());
            skip.executeUpdate();
        }
        String processMessage = "step " + ctx.stepNo + " (" + ctx.action + ") failed after " + attempt + " attempt"
                + (attempt == 1 ? "" : "s") + ": " + text;
        setProcess(connection, ctx.processId, StateMachine.require(ctx.processState, ProcessState.FAILED),
                errorClass.name(), processMessage);
        stepCompleted(connection, ctx, StepOutcome.FAILED, null, null,
                new dev.snapflow.contracts.jobs.JobStatusReport.JobError(errorClass, text), now);
        ProcessFailed processFailed = new ProcessFailed(ctx.processId.toString(), ctx.tenant, ctx.entity,
                ctx.dataVersion, ctx.target, ctx.stepNo, ctx.action, attempt, errorClass, processMessage,
                ctx.idempotencyKey, now);
        Outbox.append(connection, Events.newEvent(processFailed).source(EventSources.CALLBACK)
                .id("process-failed-" + ctx.processId).time(now).build());
        webhooks.enqueue(connection, ctx.processId, ctx.tenant, ctx.webhookUrl, "process.failed",
                Events.toJsonNode(processFailed), now);
        meters.counter("snapflow.processes.finished", "state", "FAILED").increment();
    }

    private void stepCompleted(Connection connection, Context ctx, StepOutcome outcome, String outputManifest,
                               Boolean cached, dev.snapflow.contracts.jobs.JobStatusReport.JobError error, Instant now)
            throws SQLException {
        StepCompleted completed = new StepCompleted(ctx.processId.toString(), ctx.tenant, ctx.entity, ctx.stepNo,
                ctx.jobId.attempt(), ctx.jobId.value(), ctx.action, outcome, outputManifest, cached, error, now);
        Outbox.append(connection, Events.newEvent(completed).source(EventSources.CALLBACK)
                .id("step-completed-" + ctx.jobId.value()).time(now).build());
    }

    private List<ProcessSucceeded.StepResult> stepResults(Connection connection, UUID processId) throws SQLException {
        List<ProcessSucceeded.StepResult> results = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT s.step_no, s.action, s.output_manifest, a.cached, a.metrics::text AS metrics
                FROM steps s JOIN attempts a ON a.process_id = s.process_id AND a.step_no = s.step_no
                     AND a.attempt = s.current_attempt
                WHERE s.process_id = ? ORDER BY s.step_no""")) {
            select.setObject(1, processId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    results.add(new ProcessSucceeded.StepResult(row.getInt("step_no"), row.getString("action"),
                            row.getString("output_manifest"), Boolean.TRUE.equals(row.getObject("cached")),
                            metrics(row.getString("metrics"))));
                }
            }
        }
        return results;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Number> metrics(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, Map.class);
        } catch (IOException e) {
            return Map.of();
        }
    }

    private void setStep(Connection connection, Context ctx, StepState to, String outputManifest, String errorClass,
                         String errorMessage, boolean finished) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE steps SET state = ?, output_manifest = COALESCE(?, output_manifest),
                    error_class = COALESCE(?, error_class), error_message = COALESCE(?, error_message),
                    finished_at = CASE WHEN ? THEN now() ELSE finished_at END
                WHERE process_id = ? AND step_no = ?""")) {
            update.setString(1, StateMachine.require(ctx.stepState, to).name());
            update.setString(2, outputManifest);
            update.setString(3, errorClass);
            update.setString(4, errorMessage);
            update.setBoolean(5, finished);
            update.setObject(6, ctx.processId);
            update.setInt(7, ctx.stepNo);
            update.executeUpdate();
        }
    }

    private static void setProcess(Connection connection, UUID processId, ProcessState to, String errorClass,
                                   String errorMessage) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE processes SET state = ?, updated_at = now(), error_class = COALESCE(?, error_class),
                    error_message = COALESCE(?, error_message),
                    finished_at = CASE WHEN ? THEN now() ELSE finished_at END
                WHERE id = ?""")) {
            update.setString(1, to.name());
            update.setString(2, errorClass);
            update.setString(3, errorMessage);
            update.setBoolean(4, to.terminal());
            update.setObject(5, processId);
            update.executeUpdate();
        }
    }

    /** Locks process, step and attempt (in that order, everywhere, so no two reports deadlock). */
    private Context lock(Connection connection, JobId jobId) throws SQLException {
        UUID processId = UUID.fromString(jobId.processId());
        try (PreparedStatement process = connection.prepareStatement("""
                SELECT tenant_id, entity, data_version, target, state, webhook_url, idempotency_key,
                       (SELECT count(*) FROM steps WHERE process_id = p.id) AS step_count
                FROM processes p WHERE id = ? FOR UPDATE""");
             PreparedStatement step = connection.prepareStatement(
                     "SELECT action, state, current_attempt, max_attempts FROM steps WHERE process_id = ? AND step_no = ? FOR UPDATE");
             PreparedStatement attempt = connection.prepareStatement(
                     "SELECT state, last_sequence FROM attempts WHERE job_id = ? FOR UPDATE")) {
            process.setObject(1, processId);
            Context ctx = new Context();
            ctx.jobId = jobId;
            ctx.processId = processId;
            ctx.stepNo = jobId.step();
            try (ResultSet row = process.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                ctx.tenant = row.getString("tenant_id");
                ctx.entity = row.getString("entity");
                ctx.dataVersion = row.getString("data_version");
                ctx.target = row.getString("target");
                ctx.processState = ProcessState.valueOf(row.getString("state"));
                ctx.webhookUrl = row.getString("webhook_url");
                ctx.idempotencyKey = row.getString("idempotency_key");
                ctx.stepCount = row.getInt("step_count");
            }
            step.setObject(1, processId);
            step.setInt(2, ctx.stepNo);
            try (ResultSet row = step.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                ctx.action = row.getString("action");
                ctx.stepState = StepState.valueOf(row.getString("state"));
                ctx.currentAttempt = row.getInt("current_attempt");
                ctx.maxAttempts = row.getInt("max_attempts");
            }
            attempt.setString(1, jobId.value());
            try (ResultSet row = attempt.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                ctx.attemptState = AttemptState.valueOf(row.getString("state"));
                ctx.lastSequence = row.getLong("last_sequence");
            }
            return ctx;
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Context {
        JobId jobId;
        UUID processId;
        int stepNo;
        int stepCount;
        String tenant;
        String entity;
        String dataVersion;
        String target;
        String webhookUrl;
        String idempotencyKey;
        String action;
        ProcessState processState;
        StepState stepState;
        AttemptState attemptState;
        int currentAttempt;
        int maxAttempts;
        long lastSequence;
    }
}
