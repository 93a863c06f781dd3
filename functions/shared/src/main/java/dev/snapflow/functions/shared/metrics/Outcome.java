package dev.snapflow.functions.shared.metrics;

import java.util.Locale;

/**
 * The fixed vocabulary of the {@code outcome} label of Snapflow's meters, so that a dashboard can list every value
 * and no label is built from a class or exception name (docs/metrics.md).
 */
public enum Outcome {
    /** a submission created a process */
    ACCEPTED,
    /** a submission repeated an idempotency key and got the existing process */
    REPEATED,
    /** a submission or an event was refused for its content (4xx, dead letter) */
    REJECTED,
    /** something failed that was not the input's fault (5xx, an exception) */
    ERROR,
    /** an event was handled */
    DONE,
    /** an event is to be delivered again (a transient failure, back-pressure) */
    RETRY,
    /** launch started the job */
    LAUNCHED,
    /** launch found the job started before (a redelivery) */
    ALREADY_RUNNING,
    /** launch claimed the job but its start is not confirmed yet; asked again later */
    START_PENDING,
    /** launch is at its job limit (back-pressure) */
    AT_CAPACITY,
    /** a re-driven job request found its job already ended (the reconciler's probe) */
    ENDED,
    /** the job's process or attempt was cancelled or superseded before it started */
    CANCELLED,
    /** an attempt ended well */
    SUCCEEDED,
    /** an attempt ended badly */
    FAILED;

    /** The label value: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
