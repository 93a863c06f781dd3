package dev.snapflow.contracts.jobs;

/**
 * Why a job failed, in the terms the control plane needs: whether another attempt can help.
 * Bad data or params fail the same way every time; a lost executor or an S3 timeout may not.
 */
public enum ErrorClass {
    /** The params are invalid for the action (found before Spark starts). */
    INVALID_PARAMS(false),
    /** The input is missing or not committed. */
    MISSING_INPUT(false),
    /** The data broke a rule the step enforces (schema, quality threshold). */
    INVALID_DATA(false),
    /** Infrastructure trouble: lost executor, storage timeout, callback or network errors. */
    TRANSIENT(true),
    /** Killed for memory (OOMKilled) or evicted by Kubernetes. */
    RESOURCE_EXHAUSTED(true),
    /** The image could not be pulled or the pod could not start. */
    LAUNCH_FAILED(true),
    /** The attempt ran past the action's timeout. */
    DEADLINE_EXCEEDED(true),
    /** A bug: an exception the job did not expect. */
    INTERNAL(false),
    /**
     * The step's action was removed from the action catalog after the process was accepted (catalog drift): the
     * control plane cannot start it, now or later.
     */
    ACTION_UNAVAILABLE(false),
    /**
     * An event of the process could not be delivered or handled (it went to the dead letter), or the control plane
     * lost it and re-sent it as often as it may without an answer: the process cannot go on without an operator.
     */
    EVENT_UNDELIVERABLE(false);

    private final boolean retryable;

    ErrorClass(boolean retryable) {
        this.retryable = retryable;
    }

    /** True when another attempt of the same step may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
