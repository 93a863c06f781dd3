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
            case AttemptOutcome.ActionUnavailable unavailable -> {
                String text = "action " + unavailable.action() + " is no longer in the action catalog";
                yield new NextMove.ProcessFailed(ErrorClass.ACTION_UNAVAILABLE, text,
                        "step " + step.stepNo() + " (" + step.action() + ") cannot run: " + text);
            }
        };
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
