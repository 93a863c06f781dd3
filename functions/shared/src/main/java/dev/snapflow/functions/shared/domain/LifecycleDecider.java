package dev.snapflow.functions.shared.domain;

import dev.snapflow.contracts.jobs.ErrorClass;

import java.time.Instant;

/**
 * The one decision of a process's life: from what became of an attempt and the facts of its step, the next move
 * (retry at a time, next step, process succeeded, process failed with a named class, cancelled, or nothing because
 * the process already ended). Pure: no I/O and no clock of its own ({@code now} is given), so every move is
 * unit-tested without a database and the ledger only writes what it is told. Like an operator's status
 * transitions, a new outcome never edits the old one: it yields a new move, and a terminal process yields none.
 */
public final class LifecycleDecider {
    private final RetryPolicy retryPolicy;

    public LifecycleDecider(RetryPolicy retryPolicy) {
        this.retryPolicy = retryPolicy;
    }

    public NextMove decide(AttemptOutcome outcome, StepFacts step, Instant now) {
        if (step.processState().terminal()) {
            return new NextMove.AlreadyEnded(step.processState());
        }
        return switch (outcome) {
            case AttemptOutcome.Succeeded succeeded when succeeded.outputManifest() == null || succeeded.outputManifest().isBlank() ->
                    failed(ErrorClass.INTERNAL, "the job reported SUCCEEDED without an output manifest", step, now);
            case AttemptOutcome.Succeeded succeeded -> step.hasNextStep()
                    ? new NextMove.NextStep(step.stepNo() + 1, succeeded.outputManifest())
                    : new NextMove.ProcessSucceeded(succeeded.outputManifest());
            case AttemptOutcome.Failed failed -> failed(failed.errorClass() == null ? ErrorClass.INTERNAL : failed.errorClass(),
                    failed.message(), step, now);
            // A lost job is infrastructure trouble (a dead pod or JVM): another attempt may well succeed.
            case AttemptOutcome.Lost lost -> failed(ErrorClass.TRANSIENT, "the job was lost: " + lost.why(), step, now);
            case AttemptOutcome.Cancelled cancelled -> new NextMove.Cancelled();
            case AttemptOutcome.Undeliverable undeliverable -> {
                String text = undeliverable.eventType() + " did not get through: " + undeliverable.why();
                yield new NextMove.ProcessFailed(ErrorClass.EVENT_UNDELIVERABLE, text, "process stopped at step "
                        + step.stepNo() + " (" + step.action() + "): " + text);
            }
            case AttemptOutcome.ActionUnavailable unavailable -> {
                String text = "action " + unavailable.action() + " is no longer in the action catalog";
                yield new NextMove.ProcessFailed(ErrorClass.ACTION_UNAVAILABLE, text,
                        "step " + step.stepNo() + " (" + step.action() + ") cannot run: " + text);
            }
        };
    }

    /**
     * What a failure the platform observed on a job's behalf (killed at its deadline, a lost pod or JVM) means when
     * the attempt's output is committed all the same: the manifest, written last, is the commit record, so the work
     * is done; the job only failed to say so (its final report could not get through before the kill). Without a
     * committed output the observed failure stands.
     *
     * @param committedManifest the URI of the manifest committed at the attempt's output location, or null
     */
    public AttemptOutcome observedFailure(AttemptOutcome.Failed observed, String committedManifest) {
        return committedManifest == null ? observed : new AttemptOutcome.Succeeded(committedManifest, false);
    }

    /**
     * The reconciler's question about an attempt whose deadline for a sign of life passed: its committed output
     * manifest, if the reconciler found one, is the truth (a lost final report loses nothing); otherwise launch is
     * asked again (the job request re-sent), {@code maxRedrives} times at most, and then the attempt is lost.
     *
     * @param committedManifest the URI of the manifest committed at the attempt's output location, or null
     * @param redrivesSoFar     how often the attempt's job request was re-sent without a sign of life since
     */
    public Redrive overdueAttempt(String committedManifest, int redrivesSoFar, int maxRedrives) {
        if (committedManifest != null && !committedManifest.isBlank()) {
            return new Redrive.Committed(committedManifest);
        }
        if (redrivesSoFar < maxRedrives) {
            return new Redrive.Again(redrivesSoFar + 1);
        }
        return new Redrive.GiveUp("no sign of life and no committed output after " + redrivesSoFar
                + " re-sent job request" + (redrivesSoFar == 1 ? "" : "s"));
    }

    /**
     * The reconciler's question about a process still ACCEPTED long after it was accepted (its process.accepted
     * never reached enqueue, or went to the dead letter): re-send it, {@code maxRedrives} times at most; then the
     * process fails with {@link ErrorClass#EVENT_UNDELIVERABLE} (decide {@link AttemptOutcome.Undeliverable}).
     */
    public Redrive unqueuedProcess(int redrivesSoFar, int maxRedrives) {
        if (redrivesSoFar < maxRedrives) {
            return new Redrive.Again(redrivesSoFar + 1);
        }
        return new Redrive.GiveUp("enqueue did not queue the process after " + redrivesSoFar + " re-sent process.accepted"
                + (redrivesSoFar == 1 ? "" : " events"));
    }

    private NextMove failed(ErrorClass errorClass, String message, StepFacts step, Instant now) {
        String text = message == null || message.isBlank() ? errorClass.name() : message;
        int attempt = step.attempt();
        if (retryPolicy.shouldRetry(errorClass, attempt, step.maxAttempts())) {
            return new NextMove.RetryAt(now.plus(retryPolicy.delayAfter(attempt)), attempt + 1, errorClass, text);
        }
        String processMessage = "step " + step.stepNo() + " (" + step.action() + ") failed after " + attempt + " attempt"
                + (attempt == 1 ? "" : "s") + ": " + text;
        return new NextMove.ProcessFailed(errorClass, text, processMessage);
    }
}
