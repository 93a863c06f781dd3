package dev.snapflow.functions.enqueue;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.OutputId;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.functions.shared.catalog.ActionCatalog;
import dev.snapflow.functions.shared.catalog.ActionDefinition;
import dev.snapflow.functions.shared.domain.AttemptState;
import dev.snapflow.functions.shared.domain.ProcessState;
import dev.snapflow.functions.shared.domain.StateMachine;
import dev.snapflow.functions.shared.domain.StepState;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.Outbox;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Turns queued steps into job messages, never more at once per tenant than its limit. A step holds a slot
 * from LAUNCHING until its attempt ends; queued steps wait (oldest first) and are released when callback
 * reports a step completed, when a process is cancelled, or by the periodic sweep (retries whose backoff
 * ended). The tenant row is locked while dispatching, so concurrent triggers never exceed the limit.
 */
@Singleton
public class JobDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(JobDispatcher.class);

    /**
     * The tenant's steps holding a slot. Its predicate matches the partial index steps_active (V2), so it reads
     * the few steps holding a slot anywhere and joins their processes, not the tenant's whole history.
     */
    static final String SLOT_COUNT_SQL = """
            SELECT count(*) FROM steps s JOIN processes p ON p.id = s.process_id
            WHERE p.tenant_id = ? AND s.state IN ('LAUNCHING', 'RUNNING')""";

    private final Database database;
    private final OutboxRelay relay;
    private final ActionCatalog catalog;
    private final EnqueueConfiguration config;
    private final MeterRegistry meters;

    public JobDispatcher(Database database, OutboxRelay relay, ActionCatalog catalog, EnqueueConfiguration config,
                         MeterRegistry meters) {
        this.database = database;
        this.relay = relay;
        this.catalog = catalog;
        this.config = config;
        this.meters = meters;
    }

    /**
     * Queues the first step of a newly accepted process (once: a repeated process.accepted finds it QUEUED) and
     * dispatches for its tenant, in one transaction: a tenant at its limit (the usual case for a busy tenant, whose
     * processes just queue) costs one lookup, two updates and the slot count, and no look at its queue.
     *
     * @return false when the process is unknown (not yet visible: the caller retries)
     */
    public boolean queueAccepted(UUID processId) {
        int started = database.inTransaction(connection -> {
            ProcessState state;
            String tenantId;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT tenant_id, state FROM processes WHERE id = ? FOR UPDATE")) {
                select.setObject(1, processId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return -1;
                    }
                    tenantId = row.getString(1);
                    state = ProcessState.valueOf(row.getString(2));
                }
            }
            boolean queued = false;
            if (state == ProcessState.ACCEPTED) {
                Instant now = Instant.now();
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
            }
            // Lock order process row -> tenant row. No other path locks a process row while it holds the tenant
            // row (dispatching locks the tenant, then steps with SKIP LOCKED), so this cannot deadlock.
            int startedNow = dispatchLocked(connection, tenantId);
            if (queued && startedNow == 0) {
                meters.counter("snapflow.jobs.held_back", "tenant", tenantId).increment();
            }
            return startedNow;
        });
        if (started < 0) {
            return false;
        }
        published(started);
        return true;
    }

    /** Dispatches every tenant that has steps ready to run (the periodic sweep). */
    public void dispatchAllReady() {
        List<String> tenants = database.inTransaction(connection -> {
            List<String> found = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT DISTINCT p.tenant_id FROM steps s JOIN processes p ON p.id = s.process_id
                    WHERE s.state = 'QUEUED' AND (s.not_before IS NULL OR s.not_before <= now())""");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
            return found;
        });
        tenants.forEach(this::dispatch);
    }

    /** Starts as many of the tenant's queued steps as its free slots allow; returns how many. */
    public int dispatch(String tenant) {
        int started = database.inTransaction(connection -> dispatchLocked(connection, tenant));
        published(started);
        return started;
    }

    /** After the commit of {@code started} job starts: count them and publish their job messages now. */
    private void published(int started) {
        if (started > 0) {
            meters.counter("snapflow.jobs.requested").increment(started);
            relay.flushQuietly();
        }
    }

    /**
     * Within the caller's transaction: locks the tenant row (so concurrent dispatches never exceed its limit),
     * counts its slots in use and starts its oldest ready steps, at most as many as are free. A tenant at its limit
     * stops after the count: its queue is not read, let alone locked (reading and locking all of a busy tenant's
     * queued rows on every event made each event cost as much as the queue was long). The job messages are
     * published after commit ({@link #published}).
     */
    private int dispatchLocked(Connection connection, String tenant) throws SQLException {
        int limit;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT max_concurrent_jobs FROM tenants WHERE id = ? FOR UPDATE")) {
            select.setString(1, tenant);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return 0;
                }
                Integer own = (Integer) row.getObject(1);
                limit = own != null ? own : config.defaultTenantConcurrency();
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
            return 0;
        }
        List<ReadyStep> ready = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT s.process_id, s.step_no, s.action, s.params::text AS params, s.current_attempt,
                       s.input_manifest, p.entity, p.data_version
                FROM steps s JOIN processes p ON p.id = s.process_id
                WHERE p.tenant_id = ? AND s.state = 'QUEUED' AND (s.not_before IS NULL OR s.not_before <= now())
                ORDER BY s.queued_at, s.process_id, s.step_no
                LIMIT ?
                FOR UPDATE OF s SKIP LOCKED""")) {
            select.setString(1, tenant);
            select.setInt(2, free);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ready.add(new ReadyStep((UUID) row.getObject("process_id"), row.getInt("step_no"),
                            row.getString("action"), row.getString("params"), row.getInt("current_attempt"),
                            row.getString("input_manifest"), row.getString("entity"), row.getString("data_version")));
                }
            }
        }
        for (ReadyStep step : ready) {
            start(connection, tenant, step);
        }
        return ready.size();
    }

    private void start(Connection connection, String tenant, ReadyStep step) throws SQLException {
        ActionDefinition action = catalog.action(step.action).orElseThrow(() -> new IllegalStateException(
                "action " + step.action + " of process " + step.processId + " is no longer in the catalog"));
        int attempt = step.currentAttempt + 1;
        JobId jobId = JobId.of(step.processId.toString(), step.stepNo, attempt);
        SnapshotRef ref = new SnapshotRef(tenant, step.entity, step.dataVersion);
        String inputKey = S3Uri.parse("inputManifest", step.inputManifest).key();
        String outputId = OutputId.derive(action.name(), step.params, action.jobVersion(), inputKey);
        String outputPrefix = "s3://" + config.bucket() + "/" + StorageLayout.outputPrefix(ref, action.outputTier(), outputId);
        JobArguments arguments = new JobArguments(tenant, step.entity, step.dataVersion, action.name(), step.params,
                step.inputManifest, outputPrefix, step.processId.toString(), step.stepNo, attempt,
                config.statusUrl(jobId.value()));
        Instant now = Instant.now();
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO attempts (job_id, process_id, step_no, attempt, state, output_prefix, requested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, jobId.value());
            insert.setObject(2, step.processId);
            insert.setInt(3, step.stepNo);
            insert.setInt(4, attempt);
            insert.setString(5, AttemptState.LAUNCHING.name());
            insert.setString(6, outputPrefix);
            insert.setTimestamp(7, Timestamp.from(now));
            insert.executeUpdate();
        }
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE steps SET state = ?, current_attempt = ?, not_before = NULL,
                    started_at = COALESCE(started_at, ?) WHERE process_id = ? AND step_no = ?""")) {
            update.setString(1, StateMachine.require(StepState.QUEUED, StepState.LAUNCHING).name());
            update.setInt(2, attempt);
            update.setTimestamp(3, Timestamp.from(now));
            update.setObject(4, step.processId);
            update.setInt(5, step.stepNo);
            update.executeUpdate();
        }
        int timeoutSeconds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, action.timeout().toSeconds()));
        Outbox.append(connection, Events.newEvent(JobRequested.of(arguments, timeoutSeconds, now))
                .source(EventSources.ENQUEUE).id("job-requested-" + jobId.value()).time(now).build());
        LOG.info("requested job {} ({} step {} attempt {} of process {})", jobId, action.name(), step.stepNo, attempt,
                step.processId);
    }

    private record ReadyStep(UUID processId, int stepNo, String action, String params, int currentAttempt,
                             String inputManifest, String entity, String dataVersion) {
    }
}
