package dev.snapflow.functions.callback.reconcile;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.callback.CallbackConfiguration;
import dev.snapflow.functions.callback.webhooks.WebhookOutbox;
import dev.snapflow.functions.shared.domain.AttemptOutcome;
import dev.snapflow.functions.shared.domain.AttemptState;
import dev.snapflow.functions.shared.domain.LifecycleDecider;
import dev.snapflow.functions.shared.domain.NextMove;
import dev.snapflow.functions.shared.domain.Redrive;
import dev.snapflow.functions.shared.domain.RetryPolicy;
import dev.snapflow.functions.shared.lifecycle.Ledger;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.Outbox;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Repairs what a lost report, event or component left behind, by looking up the truth rather than guessing
 * (docs/state-machine.md, "Reconciliation"). Runs on a timer (SNAPFLOW_RECONCILE_INTERVAL) and on each PingSource
 * tick (Knative, where callback scales to zero).
 *
 * <p>An attempt LAUNCHING or RUNNING past its deadline for a sign of life: a committed output manifest at its
 * output location means it SUCCEEDED; otherwise its job.requested goes out again (new event id) and launch,
 * idempotent by job id, answers with the job's truth: job.launched (still running: a sign of life), a job.status
 * FAILED (it ended without a report, or is gone) or it starts a job that never started. Without an answer after
 * SNAPFLOW_RECONCILE_MAX_REDRIVES re-drives the attempt is lost. A process still ACCEPTED long after acceptance
 * has its process.accepted re-sent as often, then fails with EVENT_UNDELIVERABLE. The {@link LifecycleDecider}
 * decides each of these, the {@link Ledger} writes them.
 *
 * <p>Each attempt and process is handled in a transaction of its own whose rows are taken with {@code SKIP
 * LOCKED} (a row being written is a sign of life, looked at next time); one that fails is counted and logged and
 * the sweep goes on with the others, so one tenant's trouble never stops the repair of another's.
 */
@Singleton
public class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** The reconciler's verdicts, the values of the metric {@code snapflow_reconcile_verdicts_total{verdict}}. */
    public enum Verdict {
        /** The overdue attempt's output is committed: SUCCEEDED from its manifest. */
        COMMITTED,
        /** Its job.requested was re-sent to launch. */
        REDRIVEN,
        /** No answer after the last re-drive: lost (the decider retries or fails it). */
        LOST,
        /** A process still ACCEPTED had its process.accepted re-sent. */
        ACCEPTED_REDRIVEN,
        /** A process still ACCEPTED after the last re-drive failed (EVENT_UNDELIVERABLE). */
        ACCEPTED_FAILED,
        /** Its process already ended: the attempt leaves the sweep. */
        ALREADY_ENDED,
        /** Another transaction holds it right now (or it is no longer overdue): next time. */
        BUSY,
        /** Storage could not tell whether the output is committed: nothing decided, next time. */
        STORAGE_UNAVAILABLE,
        /** An unexpected error (logged); the sweep went on with the others. */
        ERROR
    }

    /** What one sweep did, per verdict. */
    public record Sweep(Map<Verdict, Integer> verdicts) {
        public int count(Verdict verdict) {
            return verdicts.getOrDefault(verdict, 0);
        }
    }

    private final Database database;
    private final Ledger ledger;
    private final CommittedOutputs outputs;
    private final OutboxRelay relay;
    private final WebhookOutbox webhooks;
    private final ReconcileConfiguration config;
    private final LifecycleDecider decider;
    private final MeterRegistry meters;
    private final Clock clock;

    public Reconciler(Database database, Ledger ledger, CommittedOutputs outputs, OutboxRelay relay,
                      WebhookOutbox webhooks, ReconcileConfiguration config, CallbackConfiguration delivery,
                      MeterRegistry meters) {
        this.database = database;
        this.ledger = ledger;
        this.outputs = outputs;
        this.relay = relay;
        this.webhooks = webhooks;
        this.config = config;
        this.decider = new LifecycleDecider(new RetryPolicy(delivery.retryBaseDelay(), delivery.retryMaxDelay()));
        this.meters = meters;
        this.clock = Clock.systemUTC();
    }

    @Scheduled(fixedDelay = "${snapflow.reconcile.interval:30s}", initialDelay = "${snapflow.reconcile.interval:30s}")
    void onTimer() {
        sweepQuietly();
    }

    /** A sweep whose failure (the database is away) is logged: the next tick or timer tries again. */
    public void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("reconcile sweep failed; next in {}", config.interval(), e);
        }
    }

    /** One sweep over the overdue attempts and the unqueued processes. One at a time per pod (timer and tick). */
    public synchronized Sweep sweep() {
        Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
        Instant now = clock.instant();
        List<Ledger.OverdueAttempt> overdue = database.inTransaction(c -> ledger.overdueAttempts(c, now, config.batchSize()));
        for (Ledger.OverdueAttempt attempt : overdue) {
            count(verdicts, reconcileAttempt(attempt));
        }
        Instant acceptedBefore = now.minus(config.acceptedTimeout());
        List<Ledger.UnqueuedProcess> unqueued = database.inTransaction(
                c -> ledger.unqueuedProcesses(c, acceptedBefore, config.batchSize()));
        for (Ledger.UnqueuedProcess process : unqueued) {
            count(verdicts, reconcileUnqueued(process, acceptedBefore));
        }
        if (verdicts.keySet().stream().anyMatch(v -> v != Verdict.BUSY && v != Verdict.STORAGE_UNAVAILABLE && v != Verdict.ERROR)) {
            relay.flushQuietly();
            webhooks.deliverDueQuietly();
        }
        return new Sweep(Map.copyOf(verdicts));
    }

    private Verdict reconcileAttempt(Ledger.OverdueAttempt attempt) {
        Optional<String> manifest;
        try {
            // Before the transaction: no row stays locked while storage answers.
            manifest = outputs.committedManifest(attempt.outputPrefix());
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether job {} of tenant {} committed its output ({}); looked at again next sweep",
                    attempt.jobId(), attempt.tenant(), e.toString());
            return Verdict.STORAGE_UNAVAILABLE;
        }
        try {
            return database.inTransaction(c -> reconcileLocked(c, attempt, manifest.orElse(null)));
        } catch (RuntimeException e) {
            LOG.warn("could not reconcile job {} of tenant {}", attempt.jobId(), attempt.tenant(), e);
            return Verdict.ERROR;
        }
    }

    private Verdict reconcileLocked(Connection c, Ledger.OverdueAttempt attempt, String manifest) throws SQLException {
        Instant now = clock.instant();
        Optional<Ledger.JobRecord> locked = ledger.lockOverdueJob(c, attempt.jobId(), now);
        if (locked.isEmpty()) {
            return Verdict.BUSY;
        }
        Ledger.JobRecord job = locked.get();
        if (job.processState().terminal() || !job.current()) {
            ledger.stopWatching(c, job);
            return Verdict.ALREADY_ENDED;
        }
        return switch (decider.overdueAttempt(manifest, job.redrives(), config.maxRedrives())) {
            case Redrive.Committed committed -> {
                finish(c, job, new AttemptOutcome.Succeeded(committed.outputManifest(), false), now);
                LOG.info("job {} of tenant {} gave no sign of life by {} but committed {}: SUCCEEDED from its manifest",
                        job.jobId(), job.tenant(), job.deadlineAt(), committed.outputManifest());
                yield Verdict.COMMITTED;
            }
            case Redrive.Again again -> redrive(c, job, again.redrive(), now);
            case Redrive.GiveUp giveUp -> lost(c, job, giveUp.why(), now);
        };
    }

    /** The attempt's job.requested goes out again, as enqueue wrote it but with a new id, for launch to answer. */
    private Verdict redrive(Connection c, Ledger.JobRecord job, int redrive, Instant now) throws SQLException {
        Optional<CloudEvent> original = Outbox.find(c, jobRequestedId(job));
        if (original.isEmpty()) {
            return lost(c, job, "its job.requested is no longer in the outbox to be re-sent", now);
        }
        CloudEvent redriven = CloudEventBuilder.from(original.get())
                .withId(original.get().getId() + "/redrive-" + redrive)
                .withSource(EventSources.CALLBACK)
                .withTime(OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .withExtension(Events.REDRIVE, redrive)
                .withExtension(Events.STARTED_BEFORE, job.attemptState() == AttemptState.RUNNING)
                .build();
        ledger.redriveAttempt(c, job, redrive, now.plus(config.redriveWait()), redriven);
        LOG.info("job {} ({} of tenant {}) gave no sign of life by {}: job.requested re-sent ({} of {})",
                job.jobId(), job.attemptState(), job.tenant(), job.deadlineAt(), redrive, config.maxRedrives());
        return Verdict.REDRIVEN;
    }

    private Verdict lost(Connection c, Ledger.JobRecord job, String why, Instant now) throws SQLException {
        NextMove move = finish(c, job, new AttemptOutcome.Lost(why), now);
        LOG.warn("job {} of tenant {} is lost ({}): {}", job.jobId(), job.tenant(), why, move.getClass().getSimpleName());
        return Verdict.LOST;
    }

    private NextMove finish(Connection c, Ledger.JobRecord job, AttemptOutcome outcome, Instant now) throws SQLException {
        NextMove move = decider.decide(outcome, job.facts(), now);
        Optional<Ledger.ProcessEnded> ended = ledger.finishAttempt(c, job, move, null, null, now);
        if (ended.isPresent()) {
            webhooks.enqueue(c, job.processId(), job.tenant(), job.webhookUrl(), ended.get().eventType(),
                    Events.toJsonNode(ended.get().data()), now);
        }
        return move;
    }

    private Verdict reconcileUnqueued(Ledger.UnqueuedProcess process, Instant acceptedBefore) {
        try {
            return database.inTransaction(c -> {
                Instant now = clock.instant();
                Optional<Integer> redrives = ledger.lockUnqueuedProcess(c, process.processId(), acceptedBefore);
                if (redrives.isEmpty()) {
                    return Verdict.BUSY;
                }
                return switch (decider.unqueuedProcess(redrives.get(), config.maxRedrives())) {
                    case Redrive.Again again -> {
                        ledger.redriveAccepted(c, process.processId(), again.redrive(), now);
                        LOG.info("process {} of tenant {} still ACCEPTED after {}: process.accepted re-sent ({} of {})",
                                process.processId(), process.tenant(), config.acceptedTimeout(), again.redrive(),
                                config.maxRedrives());
                        yield Verdict.ACCEPTED_REDRIVEN;
                    }
                    case Redrive.GiveUp giveUp -> {
                        Optional<Ledger.FailedProcess> failed = failUndeliverable(c, process.processId(),
                                "process.accepted", giveUp.why(), now);
                        yield failed.isPresent() ? Verdict.ACCEPTED_FAILED : Verdict.BUSY;
                    }
                    case Redrive.Committed committed -> throw new IllegalStateException("a process has no output");
                };
            });
        } catch (RuntimeException e) {
            LOG.warn("could not reconcile process {} of tenant {}", process.processId(), process.tenant(), e);
            return Verdict.ERROR;
        }
    }

    private Optional<Ledger.FailedProcess> failUndeliverable(Connection c, UUID processId, String eventType, String why,
                                                             Instant now) throws SQLException {
        Optional<Ledger.FailedProcess> failed = ledger.failProcess(c, processId, true,
                facts -> decider.decide(new AttemptOutcome.Undeliverable(eventType, why), facts, now),
                EventSources.CALLBACK, now);
        failed.ifPresent(f -> {
            LOG.warn("process {} of tenant {} FAILED: {}", processId, f.tenant(), why);
            meters.counter("snapflow.processes.finished", "state", "FAILED").increment();
        });
        if (failed.isPresent()) {
            webhooks.enqueue(c, processId, failed.get().tenant(), failed.get().webhookUrl(),
                    failed.get().ended().eventType(), Events.toJsonNode(failed.get().ended().data()), now);
        }
        return failed;
    }

    private static String jobRequestedId(Ledger.JobRecord job) {
        // As enqueue's JobDispatcher names it.
        return "job-requested-" + job.jobId().value();
    }

    private void count(Map<Verdict, Integer> verdicts, Verdict verdict) {
        verdicts.merge(verdict, 1, Integer::sum);
        meters.counter("snapflow.reconcile.verdicts", "verdict", verdict.name().toLowerCase()).increment();
    }
}
