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
import dev.snapflow.functions.shared.domain.AttemptOutcome;
import dev.snapflow.functions.shared.domain.LifecycleDecider;
import dev.snapflow.functions.shared.domain.NextMove;
import dev.snapflow.functions.shared.domain.RetryPolicy;
import dev.snapflow.functions.shared.lifecycle.Ledger;
import dev.snapflow.functions.shared.logging.LogContext;
import dev.snapflow.functions.shared.metrics.Outcome;
import dev.snapflow.functions.shared.metrics.StepTimings;
import dev.snapflow.functions.shared.metrics.TenantLabels;
import dev.snapflow.functions.shared.tracing.EventTracing;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns queued steps into job messages, never more at once per tenant than its limit. A step holds a slot
 * from LAUNCHING until its attempt ends; queued steps wait (oldest first) and are released when callback
 * reports a step completed, when a process is cancelled, or by the periodic sweep (retries whose backoff
 * ended). The ledger locks the tenant row while dispatching, so concurrent triggers never exceed the limit. A step
 * whose action has left the catalog cannot start: the decider fails it and its process (ACTION_UNAVAILABLE)
 * instead of the event being retried forever.
 */
@Singleton
public class JobDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(JobDispatcher.class);

    private final Database database;
    private final Ledger ledger;
    private final EventTracing tracing;
    private final OutboxRelay relay;
    private final ActionCatalog catalog;
    private final EnqueueConfiguration config;
    private final MeterRegistry meters;
    private final TenantLabels tenantLabels;
    private final StepTimings timings;
    // enqueue decides only about steps that cannot start, which are never retried: no backoff to configure.
    private final LifecycleDecider decider = new LifecycleDecider(new RetryPolicy(Duration.ZERO, Duration.ZERO));

    public JobDispatcher(Database database, Ledger ledger, OutboxRelay relay, ActionCatalog catalog,
                         EnqueueConfiguration config, MeterRegistry meters, TenantLabels tenantLabels,
                         StepTimings timings, EventTracing tracing) {
        this.database = database;
        this.tracing = tracing;
        this.ledger = ledger;
        this.relay = relay;
        this.catalog = catalog;
        this.config = config;
        this.meters = meters;
        this.tenantLabels = tenantLabels;
        this.timings = timings;
    }

    /**
     * Queues the first step of a newly accepted process (once: a repeated process.accepted finds it QUEUED) and
     * dispatches for its tenant, in one transaction: a tenant at its limit (the usual case for a busy tenant, whose
     * processes just queue) costs one lookup, two updates and the slot count, and no look at its queue.
     *
     * @return false when the process is unknown (not yet visible: the caller retries)
     */
    public boolean queueAccepted(UUID processId) {
        Dispatched dispatched = database.inTransaction(connection -> {
            Optional<Ledger.QueuedProcess> process = ledger.queueFirstStep(connection, processId);
            if (process.isEmpty()) {
                return null;
            }
            // Lock order process row -> tenant row. No other path locks a process row while it holds the tenant
            // row (dispatching locks the tenant, then steps and processes with SKIP LOCKED), so this cannot deadlock.
            String tenantId = process.get().tenant();
            Dispatched now = dispatchLocked(connection, tenantId);
            if (process.get().queued() && now.started() == 0) {
                meters.counter("snapflow.jobs.held_back", "tenant", tenantLabels.label(tenantId)).increment();
            }
            return now;
        });
        if (dispatched == null) {
            return false;
        }
        published(dispatched);
        return true;
    }

    /**
     * Dispatches every tenant that has steps ready to run (the periodic sweep). Each tenant in its own transaction
     * and in isolation: one tenant's failure is logged and counted, and the others are dispatched all the same.
     *
     * @return how many tenants failed
     */
    public int dispatchAllReady() {
        List<String> tenants = database.inTransaction(ledger::tenantsWithReadySteps);
        int failed = 0;
        for (String tenant : tenants) {
            try {
                dispatch(tenant);
            } catch (RuntimeException e) {
                failed++;
                meters.counter("snapflow.dispatch.tenant_failures").increment();
                LOG.warn("dispatch of tenant {} failed; the next sweep tries again: {}", tenant, e.toString());
            }
        }
        return failed;
    }

    /** Starts as many of the tenant's queued steps as its free slots allow; returns how many. */
    public int dispatch(String tenant) {
        Dispatched dispatched = database.inTransaction(connection -> dispatchLocked(connection, tenant));
        published(dispatched);
        return dispatched.started();
    }

    /** After the commit: count the job starts and failed steps, and publish their events now. */
    private void published(Dispatched dispatched) {
        if (dispatched.started() > 0) {
            meters.counter("snapflow.jobs.requested").increment(dispatched.started());
        }
        if (dispatched.started() > 0 || dispatched.failed() > 0) {
            relay.flushQuietly();
        }
    }

    /**
     * Within the caller's transaction: the ledger claims the tenant's oldest ready steps, at most as many as it has
     * free slots (a tenant at its limit stops after the count: its queue is not read, let alone locked), and each is
     * started, or failed when it cannot start. The events are published after commit ({@link #published}).
     */
    private Dispatched dispatchLocked(Connection connection, String tenant) throws SQLException {
        int started = 0;
        int failed = 0;
        for (Ledger.ReadyStep step : ledger.claimReadySteps(connection, tenant, config.defaultTenantConcurrency())) {
            Optional<ActionDefinition> action = catalog.action(step.action());
            if (action.isPresent()) {
                start(connection, tenant, step, action.get());
                started++;
            } else if (failUnavailable(connection, tenant, step)) {
                failed++;
            }
        }
        return new Dispatched(started, failed);
    }

    private record Dispatched(int started, int failed) {
    }

    /** Catalog drift: the step's action was removed after its process was accepted. Retrying cannot help. */
    private boolean failUnavailable(Connection connection, String tenant, Ledger.ReadyStep step) throws SQLException {
        Instant now = Instant.now();
        Optional<NextMove> move = ledger.failUnstartableStep(connection, tenant, step,
                facts -> decider.decide(new AttemptOutcome.ActionUnavailable(step.action()), facts, now), now);
        if (move.isEmpty()) {
            return false;
        }
        if (move.get() instanceof NextMove.ProcessFailed failed) {
            meters.counter("snapflow.steps.unstartable", "error_class", failed.errorClass().name()).increment();
            meters.counter("snapflow.processes.finished", "outcome", Outcome.FAILED.label(),
                    "tenant", tenantLabels.label(tenant)).increment();
            LOG.warn("process {} of tenant {} failed: {}", step.processId(), tenant, failed.processMessage());
            return true;
        }
        return false;
    }

    private void start(Connection connection, String tenant, Ledger.ReadyStep step, ActionDefinition action)
            throws SQLException {
        int attempt = step.currentAttempt() + 1;
        JobId jobId = JobId.of(step.processId().toString(), step.stepNo(), attempt);
        SnapshotRef ref = new SnapshotRef(tenant, step.entity(), step.dataVersion());
        String inputKey = S3Uri.parse("inputManifest", step.inputManifest()).key();
        String outputId = OutputId.derive(action.name(), step.params(), action.jobVersion(), inputKey);
        String outputPrefix = "s3://" + config.bucket() + "/" + StorageLayout.outputPrefix(ref, action.outputTier(), outputId);
        JobArguments arguments = new JobArguments(tenant, step.entity(), step.dataVersion(), action.name(), step.params(),
                step.inputManifest(), outputPrefix, step.processId().toString(), step.stepNo(), attempt,
                config.statusUrl(jobId.value()));
        Instant now = Instant.now();
        timings.claimed(connection, step.processId(), step.stepNo(), action.name(), now);
        int timeoutSeconds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, action.timeout().toSeconds()));
        ledger.startAttempt(connection, step, jobId, outputPrefix,
                Events.newEvent(JobRequested.of(arguments, timeoutSeconds, now))
                        .source(EventSources.ENQUEUE).id("job-requested-" + jobId.value()).time(now)
                        // its own process's trace, also when another process's event woke this dispatch
                        .traceparent(tracing.traceparentFor(step.processId().toString())).build(), now,
                now.plus(config.launchDeadline()));
        // the sweep is an entry of its own: the job's ids on its line
        try (LogContext ids = LogContext.open().tenant(tenant).jobId(jobId.value())) {
            LOG.info("requested job {} ({} step {} attempt {} of process {})", jobId, action.name(), step.stepNo(), attempt,
                    step.processId());
        }
    }
}
