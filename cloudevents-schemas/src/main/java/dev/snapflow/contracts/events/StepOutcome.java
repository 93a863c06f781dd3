package dev.snapflow.contracts.events;

/** How one attempt of one step ended. */
public enum StepOutcome {
    /** The output is committed (or was already: a cached result). */
    SUCCEEDED,
    /** The attempt failed; the error class says whether another attempt can help. */
    FAILED,
    /** The process was cancelled while the attempt ran. */
    CANCELLED
}
