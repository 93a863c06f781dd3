package dev.snapflow.functions.shared.domain;

/** Where a process stands; see docs/state-machine.md. Transitions are checked only in {@link StateMachine}. */
public enum ProcessState {
    /** Validated and stored; its first step is not yet queued. */
    ACCEPTED,
    /** enqueue has queued its first step (possibly held back by the tenant's concurrency limit). */
    QUEUED,
    /** A job of one of its steps was launched or reported. */
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
