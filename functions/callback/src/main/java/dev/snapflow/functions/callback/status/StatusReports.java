package dev.snapflow.functions.callback.status;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.callback.CallbackConfiguration;
import dev.snapflow.functions.callback.reconcile.CommittedOutputs;
import dev.snapflow.functions.callback.reconcile.ReconcileConfiguration;
import dev.snapflow.functions.callback.webhooks.WebhookOutbox;
import dev.snapflow.functions.shared.domain.AttemptOutcome;
import dev.snapflow.functions.shared.domain.AttemptState;
import dev.snapflow.functions.shared.domain.LifecycleDecider;
import dev.snapflow.functions.shared.domain.NextMove;
import dev.snapflow.functions.shared.domain.RetryPolicy;
import dev.snapflow.functions.shared.lifecycle.Ledger;
import dev.snapflow.functions.shared.logging.LogContext;
import dev.snapflow.functions.shared.metrics.Outcome;
import dev.snapflow.functions.shared.metrics.StepTimings;
import dev.snapflow.functions.shared.metrics.TenantLabels;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The one handler of job status, whether a job posted it or the Kubernetes watcher sent it as job.status.
 * In one transaction per report: checks it belongs to the step's current attempt and is newer than what was
 * applied (sequence), asks the {@link LifecycleDecider} what the attempt's end means (next step, retry with
 * backoff, process succeeded or failed) and has the {@link Ledger} write it with step.completed and
 * process.succeeded/failed; the webhook delivery of a process's end commits with it.
 */
@Singleton
public class StatusReports {
    private static final Logger LOG = LoggerFactory.getLogger(StatusReports.class);

    private final Database database;
    private final Ledger ledger;
    private final OutboxRelay relay;
    private final WebhookOutbox webhooks;
    private final LifecycleDecider decider;
    private final MeterRegistry meters;
    private final StepTimings timings;
    private final TenantLabels tenantLabels;
    private final ReconcileConfiguration reconcile;
    private final CommittedOutputs outputs;

    public StatusReports(Database database, Ledger ledger, OutboxRelay relay, WebhookOutbox webhooks,
                         CallbackConfiguration config, ReconcileConfiguration reconcile, MeterRegistry meters,
                         StepTimings timings, TenantLabels tenantLabels, CommittedOutputs outputs) {
        this.database = database;
        this.ledger = ledger;
        this.relay = relay;
        this.webhooks = webhooks;
        this.decider = new LifecycleDecider(new RetryPolicy(config.retryBaseDelay(), config.retryMaxDelay()));
        this.meters = meters;
        this.timings = timings;
        this.tenantLabels = tenantLabels;
        this.reconcile = reconcile;
        this.outputs = outputs;
    }

    /** Whether the job is one we launched (for 404 before anything else). */
    public boolean knows(JobId jobId) {
        return database.inTransaction(connection -> ledger.jobExists(connection, jobId));
    }

    /** Records that launch started the job (job.launched). */
    public ReportOutcome launched(JobId jobId, String backend, String backendRef, Instant launchedAt) {
        try (LogContext ids = LogContext.open().jobId(jobId.value())) {
            return applyLaunch(jobId, backend, backendRef, launchedAt);
        }
    }

    private ReportOutcome applyLaunch(JobId jobId, String backend, String backendRef, Instant launchedAt) {
        ReportOutcome outcome = database.inTransaction(connection -> {
            Optional<Ledger.JobRecord> locked = ledger.lockJob(connection, jobId);
            if (locked.isEmpty()) {
                return ReportOutcome.UNKNOWN_JOB;
            }
            Ledger.JobRecord job = locked.get();
            ledger.recordLaunch(connection, job, backend, backendRef, launchedAt);
            if (job.ended()) {
                return ReportOutcome.ALREADY_FINISHED;
            }
            if (!job.current()) {
                return ReportOutcome.STALE_ATTEMPT;
            }
            if (job.attemptState() == AttemptState.LAUNCHING) {
                // the first word of this attempt: a redelivered job.launched, or one after the job's own report, is not
                timings.launched(connection, jobId.value(), launchedAt);
            }
            // launch's word, also its answer to a job.requested the reconciler re-sent: a sign of life
            ledger.markRunning(connection, job, null, null, Instant.now().plus(reconcile.signOfLife()));
            return ReportOutcome.APPLIED;
        });
        meters.counter("snapflow.jobs.launched_reports", "outcome", outcome.name().toLowerCase()).increment();
        return outcome;
    }

    public ReportOutcome apply(JobStatusReport report) {
        // the job's ids on every line logged for this report, whether it came over HTTP or as job.status
        try (LogContext ids = LogContext.open().jobId(report.jobId())) {
            return applyReport(report, ids);
        }
    }

    private ReportOutcome applyReport(JobStatusReport report, LogContext ids) {
        JobId jobId = new JobId(report.jobId());
        String committedManifest = observedByThePlatform(report) ? committedManifest(jobId) : null;
        ReportOutcome outcome = database.inTransaction(connection -> {
            Optional<Ledger.JobRecord> locked = ledger.lockJob(connection, jobId);
            if (locked.isEmpty()) {
                return ReportOutcome.UNKNOWN_JOB;
            }
            Ledger.JobRecord job = locked.get();
            ids.tenant(job.tenant());
            if (report.sequence() <= job.lastSequence()) {
                return ReportOutcome.DUPLICATE;
            }
            if (job.ended()) {
                return sameEnd(job.attemptState(), report.state()) ? ReportOutcome.DUPLICATE : ReportOutcome.ALREADY_FINISHED;
            }
            if (!job.current()) {
                return ReportOutcome.STALE_ATTEMPT;
            }
            Instant now = Instant.now();
            if (job.lastSequence() < 0) {
                timings.firstReport(connection, jobId.value(), now);
            }
            ledger.recordReportSequence(connection, job, report.sequence());
            switch (report.state()) {
                // started_at is when the job itself first reported: launch's view is launched_at.
                case RUNNING -> ledger.markRunning(connection, job, now, report.progress(), now.plus(reconcile.signOfLife()));
                case SUCCEEDED -> finish(connection, job, new AttemptOutcome.Succeeded(report.outputManifest(),
                        Boolean.TRUE.equals(report.cached())), report, now);
                case FAILED -> finish(connection, job, failure(report, committedManifest), report, now);
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

    private AttemptOutcome failure(JobStatusReport report, String committedManifest) {
        AttemptOutcome.Failed failed = report.error() == null
                ? new AttemptOutcome.Failed(ErrorClass.INTERNAL, "the job reported FAILED without an error")
                : new AttemptOutcome.Failed(report.error().errorClass(), report.error().message());
        if (!observedByThePlatform(report)) {
            return failed;
        }
        AttemptOutcome outcome = decider.observedFailure(failed, committedManifest);
        if (outcome instanceof AttemptOutcome.Succeeded) {
            LOG.info("job {} was reported {} by the platform but committed {}: SUCCEEDED from its manifest",
                    report.jobId(), failed.errorClass(), committedManifest);
        }
        return outcome;
    }

    /** A failure launch observed on the job's behalf (a kill at the deadline, a crash), not the job's own word. */
    private static boolean observedByThePlatform(JobStatusReport report) {
        return report.state() == JobState.FAILED && JobStatusReport.REPORTER_KUBERNETES.equals(report.reporter());
    }

    /**
     * The manifest committed at the attempt's output location, looked up before the transaction (no row stays
     * locked while storage answers). Storage that cannot tell leaves the platform's verdict standing: the step is
     * retried, and a retry of a committed output finds it (the output location is derived from its inputs).
     */
    private String committedManifest(JobId jobId) {
        try {
            Optional<String> prefix = database.inTransaction(connection -> ledger.outputPrefix(connection, jobId));
            return prefix.flatMap(outputs::committedManifest).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether job {} committed its output ({}); the platform's failure report stands",
                    jobId, e.toString());
            return null;
        }
    }

    private void finish(Connection connection, Ledger.JobRecord job, AttemptOutcome outcome, JobStatusReport report,
                        Instant now) throws SQLException {
        NextMove move = decider.decide(outcome, job.facts(), now);
        timings.ended(connection, job.jobId().value(), now,
                outcome instanceof AttemptOutcome.Succeeded ? Outcome.SUCCEEDED : Outcome.FAILED);
        Optional<Ledger.ProcessEnded> ended = ledger.finishAttempt(connection, job, move, report.cached(),
                report.metrics(), now);
        if (ended.isPresent()) {
            webhooks.enqueue(connection, job.processId(), job.tenant(), job.webhookUrl(), ended.get().eventType(),
                    Events.toJsonNode(ended.get().data()), now);
        }
        switch (move) {
            case NextMove.RetryAt retry -> {
                meters.counter("snapflow.steps.retries", "error_class", retry.errorClass().name()).increment();
                LOG.info("job {} failed ({}: {}); attempt {} of {} starts after {}", job.jobId(), retry.errorClass(),
                        retry.message(), retry.nextAttempt(), job.maxAttempts(), retry.notBefore());
            }
            case NextMove.ProcessSucceeded succeeded -> {
                meters.counter("snapflow.processes.finished", "outcome", Outcome.SUCCEEDED.label(),
                        "tenant", tenantLabels.label(job.tenant())).increment();
                LOG.info("job {} succeeded; process {} succeeded", job.jobId(), job.processId());
            }
            case NextMove.ProcessFailed failed -> {
                meters.counter("snapflow.processes.finished", "outcome", Outcome.FAILED.label(),
                        "tenant", tenantLabels.label(job.tenant())).increment();
                LOG.info("job {} failed; process {} failed ({})", job.jobId(), job.processId(), failed.errorClass());
            }
            default -> LOG.info("job {} {}; next: {}", job.jobId(),
                    outcome instanceof AttemptOutcome.Succeeded ? "succeeded" : "failed", move);
        }
    }

    private static boolean sameEnd(AttemptState state, JobState reported) {
        return state.name().equals(reported.name());
    }
}
