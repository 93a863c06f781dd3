package dev.snapflow.functions.shared.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessAccepted;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.contracts.events.ProcessFailed;
import dev.snapflow.contracts.events.ProcessSucceeded;
import dev.snapflow.contracts.events.StepCompleted;
import dev.snapflow.contracts.events.StepOutcome;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.CanonicalJson;
import dev.snapflow.functions.shared.domain.AttemptState;
import dev.snapflow.functions.shared.domain.NextMove;
import dev.snapflow.functions.shared.domain.ProcessState;
import dev.snapflow.functions.shared.domain.StateMachine;
import dev.snapflow.functions.shared.domain.StepFacts;
import dev.snapflow.functions.shared.domain.StepState;
import dev.snapflow.functions.shared.persistence.Outbox;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.net.URI;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The only code that writes {@code processes}, {@code steps} and {@code attempts} (an architecture test holds every
 * other class to that). Each method is one named change of a process's life, run inside the caller's transaction
 * (the caller decides what else commits with it and what happens after the commit), and writes the outbox events
 * announcing the change in the same transaction. From-states come from {@link StateMachine}; what happens after an
 * attempt ends is the {@link dev.snapflow.functions.shared.domain.LifecycleDecider}'s move, which the ledger only
 * writes.
 *
 * <p>Locks, everywhere in this order so that no two transactions deadlock: process row, then its step rows, then
 * the attempt row. Dispatching is the one path that starts from the tenant row: tenant, then queued steps with
 * {@code SKIP LOCKED}, then (only to fail a step that cannot start) its process row with {@code SKIP LOCKED}, so it
 * never waits for a lock another path holds.
 */
@Singleton
public class Ledger {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The SQL list of the step states that hold a tenant's job slot, from {@link StepState#holdsSlot()}. It is written
     * into the SQL text (not bound) because the partial index steps_active (V2) serves only a query whose predicate
     * is literally its own: {@code state IN ('LAUNCHING', 'RUNNING')}.
     */
    static final String SLOT_STATES = Arrays.stream(StepState.values()).filter(StepState::holdsSlot)
            .map(state -> "'" + state.name() + "'").collect(Collectors.joining(", "));

    /** The tenant's steps holding a slot: reads the few steps holding a slot anywhere and joins their processes. */
    public static final String SLOT_COUNT_SQL = """
            SELECT count(*) FROM steps s JOIN processes p ON p.id = s.process_id
            WHERE p.tenant_id = ? AND s.state IN (%s)""".formatted(SLOT_STATES);

    private static final String READY = "s.state = '" + StepState.QUEUED.name()
            + "' AND (s.not_before IS NULL OR s.not_before <= now())";

    // ---------------------------------------------------------------------------------------------------------
    // validate

    /** A process as validate accepted it, with its steps in order. */
    public record NewProcess(UUID id, String tenant, String entity, String dataVersion, String requestedVersion,
                             String target, boolean pipeline, JsonNode params, String inputManifest,
                             String webhookUrl, String idempotencyKey, String requestHash, String origin,
                             List<NewStep> steps, Instant acceptedAt) {
    }

    public record NewStep(String action, JsonNode params, int maxAttempts) {
    }

    /**
     * Stores a new process ACCEPTED with its steps PENDING (step 1 with the input snapshot as input) and its
     * process.accepted event.
     *
     * @throws SQLException a unique violation when another request with the same idempotency key won the race
     */
    public void acceptProcess(Connection connection, NewProcess process) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO processes (id, tenant_id, entity, data_version, requested_version, target, target_kind,
                    params, input_manifest, webhook_url, idempotency_key, request_hash, origin, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setObject(1, process.id());
            insert.setString(2, process.tenant());
            insert.setString(3, process.entity());
            insert.setString(4, process.dataVersion());
            insert.setString(5, process.requestedVersion());
            insert.setString(6, process.target());
            insert.setString(7, process.pipeline() ? "pipeline" : "action");
            insert.setString(8, CanonicalJson.canonicalize(process.params()));
            insert.setString(9, process.inputManifest());
            insert.setString(10, process.webhookUrl());
            insert.setString(11, process.idempotencyKey());
            insert.setString(12, process.requestHash());
            insert.setString(13, process.origin());
            insert.setString(14, ProcessState.ACCEPTED.name());
            insert.setTimestamp(15, Timestamp.from(process.acceptedAt()));
            insert.setTimestamp(16, Timestamp.from(process.acceptedAt()));
            insert.executeUpdate();
        }
        List<ProcessAccepted.PipelineStep> announced = new ArrayList<>();
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO steps (process_id, step_no, action, params, state, max_attempts, input_manifest)
                VALUES (?, ?, ?, ?::jsonb, ?, ?, ?)""")) {
            for (int i = 0; i < process.steps().size(); i++) {
                NewStep step = process.steps().get(i);
                insert.setObject(1, process.id());
                insert.setInt(2, i + 1);
                insert.setString(3, step.action());
                insert.setString(4, CanonicalJson.canonicalize(step.params()));
                insert.setString(5, StepState.PENDING.name());
                insert.setInt(6, step.maxAttempts());
                insert.setString(7, i == 0 ? process.inputManifest() : null);
                insert.addBatch();
                announced.add(new ProcessAccepted.PipelineStep(step.action(), toMap(step.params())));
            }
            insert.executeBatch();
        }
        ProcessAccepted accepted = new ProcessAccepted(process.id().toString(), process.tenant(), process.entity(),
                process.dataVersion(), process.target(), announced, process.inputManifest(), process.acceptedAt());
        Outbox.append(connection, Events.newEvent(accepted).source(EventSources.VALIDATE)
                .id("process-accepted-" + process.id()).time(process.acceptedAt()).build());
    }

    public enum CancelResult { CANCELLED, ALREADY_CANCELLED, NOT_FOUND, ALREADY_ENDED }

    /** What {@link #cancelProcess} did; {@code state} is the process's state when it found it. */
    public record Cancellation(CancelResult result, ProcessState state) {
    }

    /**
     * Cancels a process of the tenant: the process, its unfinished steps and its running attempts become CANCELLED
     * and process.cancelled (naming the running jobs, which launch stops) goes to the outbox. A process that
     * already ended otherwise is left as it is ({@link CancelResult#ALREADY_ENDED}).
     */
    public Cancellation cancelProcess(Connection connection, String tenant, UUID processId, String reason)
            throws SQLException {
        String entity;
        ProcessState state;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT entity, state FROM processes WHERE id = ? AND tenant_id = ? FOR UPDATE")) {
            select.setObject(1, processId);
            select.setString(2, tenant);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return new Cancellation(CancelResult.NOT_FOUND, null);
                }
                entity = row.getString("entity");
                state = ProcessState.valueOf(row.getString("state"));
            }
        }
        if (state == ProcessState.CANCELLED) {
            return new Cancellation(CancelResult.ALREADY_CANCELLED, state);
        }
        if (!StateMachine.allows(state, ProcessState.CANCELLED)) {
            return new Cancellation(CancelResult.ALREADY_ENDED, state);
        }
        // Wait for a dispatch of one of its steps that is committing right now, so its new attempt is seen
        // (and cancelled) below rather than left LAUNCHING.
        try (PreparedStatement lockSteps = connection.prepareStatement(
                "SELECT step_no FROM steps WHERE process_id = ? ORDER BY step_no FOR UPDATE")) {
            lockSteps.setObject(1, processId);
            lockSteps.executeQuery().close();
        }
        Instant now = Instant.now();
        List<String> runningJobs = new ArrayList<>();
        try (PreparedStatement attempts = connection.prepareStatement("""
                UPDATE attempts SET state = ?, finished_at = ? WHERE process_id = ? AND state = ANY (?)
                RETURNING job_id""")) {
            attempts.setString(1, AttemptState.CANCELLED.name());
            attempts.setTimestamp(2, Timestamp.from(now));
            attempts.setObject(3, processId);
            attempts.setArray(4, states(connection, StateMachine.sources(AttemptState.CANCELLED)));
            try (ResultSet rows = attempts.executeQuery()) {
                while (rows.next()) {
                    runningJobs.add(rows.getString(1));
                }
            }
        }
        try (PreparedStatement steps = connection.prepareStatement(
                "UPDATE steps SET state = ?, finished_at = ? WHERE process_id = ? AND state = ANY (?)")) {
            steps.setString(1, StepState.CANCELLED.name());
            steps.setTimestamp(2, Timestamp.from(now));
            steps.setObject(3, processId);
            steps.setArray(4, states(connection, StateMachine.sources(StepState.CANCELLED)));
            steps.executeUpdate();
        }
        try (PreparedStatement process = connection.prepareStatement(
                "UPDATE processes SET state = ?, updated_at = ?, finished_at = ?, error_message = ? WHERE id = ?")) {
            process.setString(1, StateMachine.require(state, ProcessState.CANCELLED).name());
            process.setTimestamp(2, Timestamp.from(now));
            process.setTimestamp(3, Timestamp.from(now));
            process.setString(4, reason == null ? "cancelled by the tenant" : "cancelled: " + reason);
            process.setObject(5, processId);
            process.executeUpdate();
        }
        Outbox.append(connection, Events.newEvent(new ProcessCancelled(processId.toString(), tenant, entity,
                runningJobs, reason, now)).source(EventSources.VALIDATE).id("process-cancelled-" + processId)
                .time(now).build());
        return new Cancellation(CancelResult.CANCELLED, state);
    }

    // ---------------------------------------------------------------------------------------------------------
    // enqueue

    /** @param queued true when this call queued the first step (false: a repeated process.accepted) */
    public record QueuedProcess(String tenant, boolean queued) {
    }

    /**
     * Queues the first step of an ACCEPTED process and makes the process QUEUED (once: a repeated call finds it
     * QUEUED and changes nothing). Locks the process row.
     *
     * @return empty when the process does not exist (not yet visible)
     */
    public Optional<QueuedProcess> queueFirstStep(Connection connection, UUID processId) throws SQLException {
        ProcessState state;
        String tenantId;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT tenant_id, state FROM processes WHERE id = ? FOR UPDATE")) {
            select.setObject(1, processId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                tenantId = row.getString(1);
                state = ProcessState.valueOf(row.getString(2));
            }
        }
        if (state != ProcessState.ACCEPTED) {
            return Optional.of(new QueuedProcess(tenantId, false));
        }
        Instant now = Instant.now();
        boolean queued;
        try (PreparedStatement step = connection.prepareStatement(
                "UPDATE steps SET state = ?, queued_at = ? WHERE process_id = ? AND step_no = 1 AND state = ?")) {
            step.setString(1, StateMachine.require(StepState.PENDING, StepState.QUEUED).name());
            step.setTimestamp(2, Timestamp.from(now));
            step.setObject(3, processId);
            step.setString(4, StepState.PENDING.name());
            queued = step.executeUpdate() == 1;
        }
        try (PreparedStatement process = connection.prepareStatement(
                "UPDATE processes SET state = ?, updated_at = ? WHERE id = ?")) {
            process.setString(1, StateMachine.require(state, ProcessState.QUEUED).name());
            process.setTimestamp(2, Timestamp.from(now));
            process.setObject(3, processId);
            process.executeUpdate();
        }
        return Optional.of(new QueuedProcess(tenantId, queued));
    }

    /** The tenants that have steps ready to start now (queued, backoff over). */
    public List<String> tenantsWithReadySteps(Connection connection) throws SQLException {
        List<String> found = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT DISTINCT p.tenant_id FROM steps s JOIN processes p ON p.id = s.process_id WHERE " + READY);
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                found.add(rows.getString(1));
            }
        }
        return found;
    }

    /** A queued step claimed for starting, with what its job needs. */
    public record ReadyStep(UUID processId, int stepNo, String action, String params, int currentAttempt,
                            int maxAttempts, String inputManifest, String entity, String dataVersion) {
    }

    /**
     * Locks the tenant row (so concurrent dispatches never exceed its limit), counts its slots in use and claims its
     * oldest ready steps, at most as many as are free (locked with SKIP LOCKED, for the caller to start or fail in
     * this transaction). A tenant at its limit stops after the count: its queue is not read, let alone locked.
     *
     * @param defaultLimit the limit of a tenant whose row names none
     */
    public List<ReadyStep> claimReadySteps(Connection connection, String tenant, int defaultLimit) throws SQLException {
        int limit;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT max_concurrent_jobs FROM tenants WHERE id = ? FOR UPDATE")) {
            select.setString(1, tenant);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return List.of();
                }
                Integer own = (Integer) row.getObject(1);
                limit = own != null ? own : defaultLimit;
            }
        }
        int running;
        try (PreparedStatement count = connection.prepareStatement(SLOT_COUNT_SQL)) {
            count.setString(1, tenant);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                running = row.getInt(1);
            }
        }
        int free = limit - running;
        if (free <= 0) {
            return List.of();
        }
        List<ReadyStep> ready = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT s.process_id, s.step_no, s.action, s.params::text AS params, s.current_attempt, s.max_attempts,
                       s.input_manifest, p.entity, p.data_version
                FROM steps s JOIN processes p ON p.id = s.process_id
                WHERE p.tenant_id = ? AND %s
                ORDER BY s.queued_at, s.process_id, s.step_no
                LIMIT ?
                FOR UPDATE OF s SKIP LOCKED""".formatted(READY))) {
            select.setString(1, tenant);
            select.setInt(2, free);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ready.add(new ReadyStep((UUID) row.getObject("process_id"), row.getInt("step_no"),
                            row.getString("action"), row.getString("params"), row.getInt("current_attempt"),
                            row.getInt("max_attempts"), row.getString("input_manifest"), row.getString("entity"),
                            row.getString("data_version")));
                }
            }
        }
        return ready;
    }

    /**
     * Starts the next attempt of a claimed step: the attempt row (LAUNCHING), the step LAUNCHING with it as its
     * current attempt (holding a slot), and its job.requested event.
     *
     * @param deadline when launch must have answered (job.launched) before the reconciler looks into it
     */
    public void startAttempt(Connection connection, ReadyStep step, JobId jobId, String outputPrefix,
                             CloudEvent jobRequested, Instant now, Instant deadline) throws SQLException {
        if (jobId.attempt() != step.currentAttempt() + 1 || jobId.step() != step.stepNo()) {
            throw new IllegalArgumentException("job " + jobId + " is not the next attempt of step " + step.stepNo());
        }
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO attempts (job_id, process_id, step_no, attempt, state, output_prefix, requested_at, deadline_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, jobId.value());
            insert.setObject(2, step.processId());
            insert.setInt(3, step.stepNo());
            insert.setInt(4, jobId.attempt());
            insert.setString(5, AttemptState.LAUNCHING.name());
            insert.setString(6, outputPrefix);
            insert.setTimestamp(7, Timestamp.from(now));
            insert.setTimestamp(8, Timestamp.from(deadline));
            insert.executeUpdate();
        }
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE steps SET state = ?, current_attempt = ?, not_before = NULL,
                    started_at = COALESCE(started_at, ?) WHERE process_id = ? AND step_no = ? AND state = ?""")) {
            update.setString(1, StateMachine.require(StepState.QUEUED, StepState.LAUNCHING).name());
            update.setInt(2, jobId.attempt());
            update.setTimestamp(3, Timestamp.from(now));
            update.setObject(4, step.processId());
            update.setInt(5, step.stepNo());
            update.setString(6, StepState.QUEUED.name());
            update.executeUpdate();
        }
        Outbox.append(connection, jobRequested);
    }

    /**
     * Applies the decider's move for a claimed step that cannot start (e.g. its action left the catalog): the
     * step FAILED, later steps SKIPPED, the process FAILED and process.failed (source enqueue). The process row is
     * taken with SKIP LOCKED (dispatch holds step locks, and every other path locks the process first): when
     * another transaction holds it, nothing is written and the next dispatch tries again.
     *
     * @param decide the decider, given the step's facts
     * @return the move applied, or empty when the process row was busy
     */
    public Optional<NextMove> failUnstartableStep(Connection connection, String tenant, ReadyStep step,
                                                  Function<StepFacts, NextMove> decide, Instant now) throws SQLException {
        ProcessRow process;
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT entity, data_version, target, state, idempotency_key,
                       (SELECT count(*) FROM steps WHERE process_id = p.id) AS step_count
                FROM processes p WHERE id = ? FOR UPDATE SKIP LOCKED""")) {
            select.setObject(1, step.processId());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                process = new ProcessRow(row.getString("entity"), row.getString("data_version"),
                        row.getString("target"), ProcessState.valueOf(row.getString("state")),
                        row.getString("idempotency_key"), row.getInt("step_count"));
            }
        }
        NextMove move = decide.apply(new StepFacts(step.stepNo(), process.stepCount(), step.action(),
                step.currentAttempt(), step.maxAttempts(), process.state()));
        switch (move) {
            case NextMove.AlreadyEnded ended -> {
                return Optional.of(move);
            }
            case NextMove.ProcessFailed failed -> {
                setStep(connection, step.processId(), step.stepNo(), StateMachine.require(StepState.QUEUED, StepState.FAILED),
                        null, failed.errorClass().name(), failed.stepMessage(), true);
                skipLaterSteps(connection, step.processId(), step.stepNo());
                setProcess(connection, step.processId(), StateMachine.require(process.state(), ProcessState.FAILED),
                        failed.errorClass().name(), failed.processMessage());
                boolean ran = step.currentAttempt() > 0;
                ProcessFailed processFailed = new ProcessFailed(step.processId().toString(), tenant, process.entity(),
                        process.dataVersion(), process.target(), ran ? step.stepNo() : null, ran ? step.action() : null,
                        ran ? step.currentAttempt() : null, failed.errorClass(), failed.processMessage(),
                        process.idempotencyKey(), now);
                Outbox.append(connection, Events.newEvent(processFailed).source(EventSources.ENQUEUE)
                        .id("process-failed-" + step.processId()).time(now).build());
                return Optional.of(move);
            }
            default -> throw new IllegalArgumentException("a step that cannot start cannot " + move);
        }
    }

    private record ProcessRow(String entity, String dataVersion, String target, ProcessState state,
                              String idempotencyKey, int stepCount) {
    }

    // ---------------------------------------------------------------------------------------------------------
    // callback

    /** A job's attempt with its step and process, as locked by {@link #lockJob}. */
    public record JobRecord(JobId jobId, UUID processId, int stepCount, String tenant, String entity,
                            String dataVersion, String target, String webhookUrl, String idempotencyKey,
                            String action, ProcessState processState, StepState stepState,
                            AttemptState attemptState, int currentAttempt, int maxAttempts, long lastSequence,
                            String outputPrefix, Instant deadlineAt, int redrives) {

        public int stepNo() {
            return jobId.step();
        }

        /** True when this job is its step's current attempt (a superseded one must not change the step). */
        public boolean current() {
            return currentAttempt == jobId.attempt();
        }

        public boolean ended() {
            return attemptState.terminal() || processState.terminal();
        }

        public StepFacts facts() {
            return new StepFacts(stepNo(), stepCount, action, jobId.attempt(), maxAttempts, processState);
        }
    }

    /** Locks the job's process, step and attempt (in that order); empty when the job is unknown. */
    public Optional<JobRecord> lockJob(Connection connection, JobId jobId) throws SQLException {
        return lockJob(connection, jobId, "FOR UPDATE");
    }

    private Optional<JobRecord> lockJob(Connection connection, JobId jobId, String lock) throws SQLException {
        UUID processId = UUID.fromString(jobId.processId());
        try (PreparedStatement process = connection.prepareStatement("""
                SELECT tenant_id, entity, data_version, target, state, webhook_url, idempotency_key,
                       (SELECT count(*) FROM steps WHERE process_id = p.id) AS step_count
                FROM processes p WHERE id = ?""" + " " + lock);
             PreparedStatement step = connection.prepareStatement(
                     "SELECT action, state, current_attempt, max_attempts FROM steps WHERE process_id = ? AND step_no = ? " + lock);
             PreparedStatement attempt = connection.prepareStatement(
                     "SELECT state, last_sequence, output_prefix, deadline_at, redrives FROM attempts WHERE job_id = ? " + lock)) {
            process.setObject(1, processId);
            String tenant;
            String entity;
            String dataVersion;
            String target;
            ProcessState processState;
            String webhookUrl;
            String idempotencyKey;
            int stepCount;
            try (ResultSet row = process.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                tenant = row.getString("tenant_id");
                entity = row.getString("entity");
                dataVersion = row.getString("data_version");
                target = row.getString("target");
                processState = ProcessState.valueOf(row.getString("state"));
                webhookUrl = row.getString("webhook_url");
                idempotencyKey = row.getString("idempotency_key");
                stepCount = row.getInt("step_count");
            }
            step.setObject(1, processId);
            step.setInt(2, jobId.step());
            String action;
            StepState stepState;
            int currentAttempt;
            int maxAttempts;
            try (ResultSet row = step.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                action = row.getString("action");
                stepState = StepState.valueOf(row.getString("state"));
                currentAttempt = row.getInt("current_attempt");
                maxAttempts = row.getInt("max_attempts");
            }
            attempt.setString(1, jobId.value());
            try (ResultSet row = attempt.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new JobRecord(jobId, processId, stepCount, tenant, entity, dataVersion, target,
                        webhookUrl, idempotencyKey, action, processState, stepState,
                        AttemptState.valueOf(row.getString("state")), currentAttempt, maxAttempts,
                        row.getLong("last_sequence"), row.getString("output_prefix"),
                        instant(row.getTimestamp("deadline_at")), row.getInt("redrives")));
            }
        }
    }

    /** Whether the job is one we launched. */
    public boolean jobExists(Connection connection, JobId jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM attempts WHERE job_id = ?")) {
            select.setString(1, jobId.value());
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** The attempt's output location ({@code s3://bucket/.../}), read without a lock; empty when the job is unknown. */
    public Optional<String> outputPrefix(Connection connection, JobId jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT output_prefix FROM attempts WHERE job_id = ?")) {
            select.setString(1, jobId.value());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    /** Records where launch started the job (kept whatever the attempt's state: it names the job to stop). */
    public void recordLaunch(Connection connection, JobRecord job, String backend, String backendRef,
                             Instant launchedAt) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE attempts SET launched_at = COALESCE(launched_at, ?), backend = ?, backend_ref = ? WHERE job_id = ?")) {
            update.setTimestamp(1, Timestamp.from(launchedAt));
            update.setString(2, backend);
            update.setString(3, backendRef);
            update.setString(4, job.jobId().value());
            update.executeUpdate();
        }
    }

    /** Records the sequence of the report being applied: older or repeated reports change nothing after it. */
    public void recordReportSequence(Connection connection, JobRecord job, long sequence) throws SQLException {
        if (sequence <= job.lastSequence()) {
            throw new IllegalArgumentException("report " + sequence + " of job " + job.jobId()
                    + " is not newer than " + job.lastSequence());
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE attempts SET last_sequence = ? WHERE job_id = ?")) {
            update.setLong(1, sequence);
            update.setString(2, job.jobId().value());
            update.executeUpdate();
        }
    }

    /**
     * The job was launched or reported progress: attempt and step RUNNING, the process RUNNING.
     *
     * Each is a sign of life: the attempt's deadline moves to {@code deadline} and its re-drives start again at 0.
     *
     * @param reportedAt when the job itself reported (its started_at); null for launch's view (job.launched)
     * @param progress   the report's progress, or null
     * @param deadline   when the attempt must next be heard of before the reconciler looks into it
     */
    public void markRunning(Connection connection, JobRecord job, Instant reportedAt, Object progress, Instant deadline)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE attempts SET state = ?, started_at = COALESCE(started_at, ?), progress = COALESCE(?::jsonb, progress),
                    deadline_at = ?, redrives = 0
                WHERE job_id = ?""")) {
            update.setString(1, StateMachine.require(job.attemptState(), AttemptState.RUNNING).name());
            update.setTimestamp(2, reportedAt == null ? null : Timestamp.from(reportedAt));
            update.setString(3, progress == null ? null : json(progress));
            update.setTimestamp(4, Timestamp.from(deadline));
            update.setString(5, job.jobId().value());
            update.executeUpdate();
        }
        setStep(connection, job.processId(), job.stepNo(), StateMachine.require(job.stepState(), StepState.RUNNING),
                null, null, null, false);
        if (job.processState() != ProcessState.RUNNING) {
            setProcess(connection, job.processId(), StateMachine.require(job.processState(), ProcessState.RUNNING),
                    null, null);
        }
    }

    /** The process's end event written by {@link #finishAttempt}, for the caller's webhook delivery. */
    public record ProcessEnded(String eventType, Object data) {
    }

    /**
     * Writes the decider's move for a job's attempt that ended: the attempt SUCCEEDED or FAILED, the step and, as the
     * move says, the next step QUEUED, the step QUEUED again for a retry, or the process SUCCEEDED or FAILED; with
     * step.completed and process.succeeded/failed (source callback).
     *
     * @param cached  for a success: whether the output was already committed
     * @param metrics for a success: the job's metrics, or null
     * @return the process's end event when the move ended the process
     */
    public Optional<ProcessEnded> finishAttempt(Connection connection, JobRecord job, NextMove move, Boolean cached,
                                                Object metrics, Instant now) throws SQLException {
        return switch (move) {
            case NextMove.NextStep next -> {
                attemptSucceeded(connection, job, next.inputManifest(), cached, metrics, now);
                setStep(connection, job.processId(), job.stepNo(), StateMachine.require(job.stepState(), StepState.SUCCEEDED),
                        next.inputManifest(), null, null, true);
                try (PreparedStatement queue = connection.prepareStatement("""
                        UPDATE steps SET state = ?, input_manifest = ?, queued_at = ? WHERE process_id = ? AND step_no = ?""")) {
                    queue.setString(1, StateMachine.require(StepState.PENDING, StepState.QUEUED).name());
                    queue.setString(2, next.inputManifest());
                    queue.setTimestamp(3, Timestamp.from(now));
                    queue.setObject(4, job.processId());
                    queue.setInt(5, next.stepNo());
                    queue.executeUpdate();
                }
                stepCompleted(connection, job, StepOutcome.SUCCEEDED, next.inputManifest(), cached, null, now);
                yield Optional.empty();
            }
            case NextMove.ProcessSucceeded succeeded -> {
                attemptSucceeded(connection, job, succeeded.resultManifest(), cached, metrics, now);
                setStep(connection, job.processId(), job.stepNo(), StateMachine.require(job.stepState(), StepState.SUCCEEDED),
                        succeeded.resultManifest(), null, null, true);
                stepCompleted(connection, job, StepOutcome.SUCCEEDED, succeeded.resultManifest(), cached, null, now);
                setProcess(connection, job.processId(), StateMachine.require(job.processState(), ProcessState.SUCCEEDED),
                        null, null);
                ProcessSucceeded event = new ProcessSucceeded(job.processId().toString(), job.tenant(), job.entity(),
                        job.dataVersion(), job.target(), stepResults(connection, job.processId()), job.idempotencyKey(), now);
                Outbox.append(connection, Events.newEvent(event).source(EventSources.CALLBACK)
                        .id("process-succeeded-" + job.processId()).time(now).build());
                yield Optional.of(new ProcessEnded("process.succeeded", event));
            }
            case NextMove.RetryAt retry -> {
                attemptFailed(connection, job, retry.errorClass(), retry.message(), now);
                try (PreparedStatement update = connection.prepareStatement("""
                        UPDATE steps SET state = ?, not_before = ?, queued_at = ?, error_class = ?, error_message = ?
                        WHERE process_id = ? AND step_no = ?""")) {
                    update.setString(1, StateMachine.require(job.stepState(), StepState.QUEUED).name());
                    update.setTimestamp(2, Timestamp.from(retry.notBefore()));
                    update.setTimestamp(3, Timestamp.from(now));
                    update.setString(4, retry.errorClass().name());
                    update.setString(5, retry.message());
                    update.setObject(6, job.processId());
                    update.setInt(7, job.stepNo());
                    update.executeUpdate();
                }
                stepCompleted(connection, job, StepOutcome.FAILED, null, null,
                        new JobStatusReport.JobError(retry.errorClass(), retry.message()), now);
                yield Optional.empty();
            }
            case NextMove.ProcessFailed failed -> {
                attemptFailed(connection, job, failed.errorClass(), failed.stepMessage(), now);
                setStep(connection, job.processId(), job.stepNo(), StateMachine.require(job.stepState(), StepState.FAILED),
                        null, failed.errorClass().name(), failed.stepMessage(), true);
                skipLaterSteps(connection, job.processId(), job.stepNo());
                setProcess(connection, job.processId(), StateMachine.require(job.processState(), ProcessState.FAILED),
                        failed.errorClass().name(), failed.processMessage());
                stepCompleted(connection, job, StepOutcome.FAILED, null, null,
                        new JobStatusReport.JobError(failed.errorClass(), failed.stepMessage()), now);
                ProcessFailed event = new ProcessFailed(job.processId().toString(), job.tenant(), job.entity(),
                        job.dataVersion(), job.target(), job.stepNo(), job.action(), job.jobId().attempt(),
                        failed.errorClass(), failed.processMessage(), job.idempotencyKey(), now);
                Outbox.append(connection, Events.newEvent(event).source(EventSources.CALLBACK)
                        .id("process-failed-" + job.processId()).time(now).build());
                yield Optional.of(new ProcessEnded("process.failed", event));
            }
            case NextMove.Cancelled cancelled -> {
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE attempts SET state = ?, finished_at = ? WHERE job_id = ?")) {
                    update.setString(1, StateMachine.require(job.attemptState(), AttemptState.CANCELLED).name());
                    update.setTimestamp(2, Timestamp.from(now));
                    update.setString(3, job.jobId().value());
                    update.executeUpdate();
                }
                setStep(connection, job.processId(), job.stepNo(), StateMachine.require(job.stepState(), StepState.CANCELLED),
                        null, null, null, true);
                yield Optional.empty();
            }
            case NextMove.AlreadyEnded ended -> Optional.empty();
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // reconciler (callback)

    /** An attempt whose deadline for a sign of life passed, as the overdue sweep lists it (nothing locked). */
    public record OverdueAttempt(JobId jobId, String tenant, String outputPrefix) {
    }

    /** The LAUNCHING or RUNNING attempts whose deadline passed, most overdue first (served by index attempts_overdue). */
    public List<OverdueAttempt> overdueAttempts(Connection connection, Instant now, int limit) throws SQLException {
        List<OverdueAttempt> found = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT a.job_id, p.tenant_id, a.output_prefix FROM attempts a JOIN processes p ON p.id = a.process_id
                WHERE a.state IN ('LAUNCHING', 'RUNNING') AND a.deadline_at <= ?
                ORDER BY a.deadline_at LIMIT ?""")) {
            select.setTimestamp(1, Timestamp.from(now));
            select.setInt(2, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(new OverdueAttempt(new JobId(rows.getString(1)), rows.getString(2), rows.getString(3)));
                }
            }
        }
        return found;
    }

    /**
     * Locks an overdue attempt as {@link #lockJob} does (same order) but never waits ({@code SKIP LOCKED}): empty when
     * another transaction holds any of the rows (a report is being applied: that is a sign of life) or the attempt
     * is no longer active and overdue.
     */
    public Optional<JobRecord> lockOverdueJob(Connection connection, JobId jobId, Instant now) throws SQLException {
        return lockJob(connection, jobId, "FOR UPDATE SKIP LOCKED")
                .filter(job -> !job.attemptState().terminal() && job.deadlineAt() != null && !job.deadlineAt().isAfter(now));
    }

    /**
     * The attempt's job request goes out again, as {@code jobRequested} (the original with a new event id): launch,
     * idempotent by job id, starts it if it never started and otherwise answers with what became of it. Counts
     * the re-drive and moves the deadline to when that answer is due.
     */
    public void redriveAttempt(Connection connection, JobRecord job, int redrive, Instant deadline,
                               CloudEvent jobRequested) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE attempts SET redrives = ?, deadline_at = ? WHERE job_id = ?")) {
            update.setInt(1, redrive);
            update.setTimestamp(2, Timestamp.from(deadline));
            update.setString(3, job.jobId().value());
            update.executeUpdate();
        }
        Outbox.append(connection, jobRequested);
    }

    /** An active attempt of a process that already ended has nothing left to wait for: it leaves the overdue sweep. */
    public void stopWatching(Connection connection, JobRecord job) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE attempts SET deadline_at = NULL WHERE job_id = ?")) {
            update.setString(1, job.jobId().value());
            update.executeUpdate();
        }
    }

    /** A process still ACCEPTED, as the sweep lists it (nothing locked). */
    public record UnqueuedProcess(UUID processId, String tenant) {
    }

    /** Processes ACCEPTED (not queued) since before {@code before}, oldest first (served by index processes_unqueued). */
    public List<UnqueuedProcess> unqueuedProcesses(Connection connection, Instant before, int limit) throws SQLException {
        List<UnqueuedProcess> found = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT id, tenant_id FROM processes WHERE state = 'ACCEPTED' AND updated_at <= ?
                ORDER BY updated_at LIMIT ?""")) {
            select.setTimestamp(1, Timestamp.from(before));
            select.setInt(2, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(new UnqueuedProcess((UUID) rows.getObject(1), rows.getString(2)));
                }
            }
        }
        return found;
    }

    /**
     * Locks a process still ACCEPTED since before {@code before} without waiting ({@code SKIP LOCKED}).
     *
     * @return how often its process.accepted was re-sent so far; empty when busy, queued meanwhile, or re-sent lately
     */
    public Optional<Integer> lockUnqueuedProcess(Connection connection, UUID processId, Instant before) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT redrives FROM processes WHERE id = ? AND state = 'ACCEPTED' AND updated_at <= ?
                FOR UPDATE SKIP LOCKED""")) {
            select.setObject(1, processId);
            select.setTimestamp(2, Timestamp.from(before));
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getInt(1)) : Optional.empty();
            }
        }
    }

    /**
     * The process's process.accepted goes out again, rebuilt from the process and its steps with event id
     * {@code process-accepted-<id>/redrive-<n>} (enqueue queues a process once, so a repeat changes nothing).
     * Counts the re-drive; {@code updated_at} becomes now, so the next one waits a whole period again.
     */
    public void redriveAccepted(Connection connection, UUID processId, int redrive, Instant now) throws SQLException {
        ProcessAccepted accepted;
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT tenant_id, entity, data_version, target, input_manifest, created_at FROM processes WHERE id = ?""");
             PreparedStatement steps = connection.prepareStatement(
                     "SELECT action, params::text AS params FROM steps WHERE process_id = ? ORDER BY step_no")) {
            select.setObject(1, processId);
            steps.setObject(1, processId);
            List<ProcessAccepted.PipelineStep> announced = new ArrayList<>();
            try (ResultSet row = steps.executeQuery()) {
                while (row.next()) {
                    announced.add(new ProcessAccepted.PipelineStep(row.getString("action"),
                            toMap(readTree(row.getString("params")))));
                }
            }
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalArgumentException("no process " + processId);
                }
                accepted = new ProcessAccepted(processId.toString(), row.getString("tenant_id"), row.getString("entity"),
                        row.getString("data_version"), row.getString("target"), announced,
                        row.getString("input_manifest"), row.getTimestamp("created_at").toInstant());
            }
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE processes SET redrives = ?, updated_at = ? WHERE id = ?")) {
            update.setInt(1, redrive);
            update.setTimestamp(2, Timestamp.from(now));
            update.setObject(3, processId);
            update.executeUpdate();
        }
        CloudEvent event = Events.newEvent(accepted).source(EventSources.CALLBACK)
                .id("process-accepted-" + processId + "/redrive-" + redrive).time(now).build();
        Outbox.append(connection, CloudEventBuilder.from(event).withExtension(Events.REDRIVE, redrive).build());
    }

    /** A process that {@link #failProcess} ended, with what its webhook delivery needs. */
    public record FailedProcess(String tenant, String webhookUrl, ProcessEnded ended) {
    }

    /**
     * Ends a process that cannot go on (an event it needs went to the dead letter, or was lost beyond its
     * re-drives) with the decider's move for its current step: its active attempts and that step FAILED (a step
     * that never started SKIPPED, as are later ones), the process FAILED, and process.failed from {@code source}.
     * Locks the process row, then its steps, then its attempts.
     *
     * @param skipLocked true to give up rather than wait when another transaction holds the process
     * @param decide     the decider, given the current step's facts
     * @return the process's end, or empty when the process is unknown, busy, or already ended
     */
    public Optional<FailedProcess> failProcess(Connection connection, UUID processId, boolean skipLocked,
                                               Function<StepFacts, NextMove> decide, URI source, Instant now)
            throws SQLException {
        String tenant;
        String webhookUrl;
        ProcessRow process;
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT tenant_id, webhook_url, entity, data_version, target, state, idempotency_key,
                       (SELECT count(*) FROM steps WHERE process_id = p.id) AS step_count
                FROM processes p WHERE id = ? FOR UPDATE""" + (skipLocked ? " SKIP LOCKED" : ""))) {
            select.setObject(1, processId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                tenant = row.getString("tenant_id");
                webhookUrl = row.getString("webhook_url");
                process = new ProcessRow(row.getString("entity"), row.getString("data_version"),
                        row.getString("target"), ProcessState.valueOf(row.getString("state")),
                        row.getString("idempotency_key"), row.getInt("step_count"));
            }
        }
        if (process.state().terminal() || process.stepCount() == 0) {
            return Optional.empty();
        }
        // The current step: the first one not ended; a process whose steps all ended otherwise names its last.
        int stepNo = 0;
        String action = null;
        StepState stepState = null;
        int currentAttempt = 0;
        int maxAttempts = 1;
        try (PreparedStatement steps = connection.prepareStatement(
                "SELECT step_no, action, state, current_attempt, max_attempts FROM steps WHERE process_id = ? ORDER BY step_no FOR UPDATE")) {
            steps.setObject(1, processId);
            try (ResultSet row = steps.executeQuery()) {
                while (row.next()) {
                    boolean found = stepState != null && !stepState.terminal();
                    if (!found) {
                        stepNo = row.getInt("step_no");
                        action = row.getString("action");
                        stepState = StepState.valueOf(row.getString("state"));
                        currentAttempt = row.getInt("current_attempt");
                        maxAttempts = row.getInt("max_attempts");
                    }
                }
            }
        }
        NextMove move = decide.apply(new StepFacts(stepNo, process.stepCount(), action, currentAttempt, maxAttempts,
                process.state()));
        if (!(move instanceof NextMove.ProcessFailed failed)) {
            return Optional.empty();
        }
        try (PreparedStatement attempts = connection.prepareStatement("""
                UPDATE attempts SET state = ?, finished_at = ?, error_class = ?, error_message = ?
                WHERE process_id = ? AND state = ANY (?)""")) {
            attempts.setString(1, AttemptState.FAILED.name());
            attempts.setTimestamp(2, Timestamp.from(now));
            attempts.setString(3, failed.errorClass().name());
            attempts.setString(4, failed.stepMessage());
            attempts.setObject(5, processId);
            attempts.setArray(6, states(connection, StateMachine.sources(AttemptState.FAILED)));
            attempts.executeUpdate();
        }
        if (StateMachine.allows(stepState, StepState.FAILED)) {
            setStep(connection, processId, stepNo, StateMachine.require(stepState, StepState.FAILED), null,
                    failed.errorClass().name(), failed.stepMessage(), true);
        } else if (StateMachine.allows(stepState, StepState.SKIPPED)) {
            setStep(connection, processId, stepNo, StepState.SKIPPED, null, null, null, false);
        }
        skipLaterSteps(connection, processId, stepNo);
        setProcess(connection, processId, StateMachine.require(process.state(), ProcessState.FAILED),
                failed.errorClass().name(), failed.processMessage());
        boolean ran = currentAttempt > 0;
        ProcessFailed event = new ProcessFailed(processId.toString(), tenant, process.entity(), process.dataVersion(),
                process.target(), ran ? stepNo : null, ran ? action : null, ran ? currentAttempt : null,
                failed.errorClass(), failed.processMessage(), process.idempotencyKey(), now);
        Outbox.append(connection, Events.newEvent(event).source(source).id("process-failed-" + processId).time(now).build());
        return Optional.of(new FailedProcess(tenant, webhookUrl, new ProcessEnded("process.failed", event)));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static JsonNode readTree(String json) {
        try {
            return json == null ? JSON.createObjectNode() : JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable params in the database", e);
        }
    }

    private static void attemptSucceeded(Connection connection, JobRecord job, String outputManifest, Boolean cached,
                                         Object metrics, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE attempts SET state = ?, started_at = COALESCE(started_at, ?), finished_at = ?, output_manifest = ?,
                    cached = ?, metrics = ?::jsonb WHERE job_id = ?""")) {
            update.setString(1, StateMachine.require(job.attemptState(), AttemptState.SUCCEEDED).name());
            update.setTimestamp(2, Timestamp.from(now));
            update.setTimestamp(3, Timestamp.from(now));
            update.setString(4, outputManifest);
            update.setObject(5, cached);
            update.setString(6, metrics == null ? null : json(metrics));
            update.setString(7, job.jobId().value());
            update.executeUpdate();
        }
    }

    private static void attemptFailed(Connection connection, JobRecord job, ErrorClass errorClass, String message,
                                      Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE attempts SET state = ?, finished_at = ?, error_class = ?, error_message = ? WHERE job_id = ?""")) {
            update.setString(1, StateMachine.require(job.attemptState(), AttemptState.FAILED).name());
            update.setTimestamp(2, Timestamp.from(now));
            update.setString(3, errorClass.name());
            update.setString(4, message);
            update.setString(5, job.jobId().value());
            update.executeUpdate();
        }
    }

    private static void stepCompleted(Connection connection, JobRecord job, StepOutcome outcome, String outputManifest,
                                      Boolean cached, JobStatusReport.JobError error, Instant now) throws SQLException {
        StepCompleted completed = new StepCompleted(job.processId().toString(), job.tenant(), job.entity(), job.stepNo(),
                job.jobId().attempt(), job.jobId().value(), job.action(), outcome, outputManifest, cached, error, now);
        Outbox.append(connection, Events.newEvent(completed).source(EventSources.CALLBACK)
                .id("step-completed-" + job.jobId().value()).time(now).build());
    }

    private static List<ProcessSucceeded.StepResult> stepResults(Connection connection, UUID processId) throws SQLException {
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

    // ---------------------------------------------------------------------------------------------------------
    // shared writes

    private static void setStep(Connection connection, UUID processId, int stepNo, StepState to, String outputManifest,
                                String errorClass, String errorMessage, boolean finished) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE steps SET state = ?, output_manifest = COALESCE(?, output_manifest),
                    error_class = COALESCE(?, error_class), error_message = COALESCE(?, error_message),
                    finished_at = CASE WHEN ? THEN now() ELSE finished_at END
                WHERE process_id = ? AND step_no = ?""")) {
            update.setString(1, to.name());
            update.setString(2, outputManifest);
            update.setString(3, errorClass);
            update.setString(4, errorMessage);
            update.setBoolean(5, finished);
            update.setObject(6, processId);
            update.setInt(7, stepNo);
            update.executeUpdate();
        }
    }

    /** The steps after a failed one that were waiting for it never run. */
    private static void skipLaterSteps(Connection connection, UUID processId, int failedStep) throws SQLException {
        try (PreparedStatement skip = connection.prepareStatement(
                "UPDATE steps SET state = ? WHERE process_id = ? AND step_no > ? AND state = ANY (?)")) {
            skip.setString(1, StepState.SKIPPED.name());
            skip.setObject(2, processId);
            skip.setInt(3, failedStep);
            skip.setArray(4, states(connection, StateMachine.sources(StepState.SKIPPED)));
            skip.executeUpdate();
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

    private static Array states(Connection connection, Set<? extends Enum<?>> states) throws SQLException {
        return connection.createArrayOf("text", states.stream().map(Enum::name).sorted().toArray());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toMap(JsonNode params) {
        return JSON.convertValue(params, LinkedHashMap.class);
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

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
