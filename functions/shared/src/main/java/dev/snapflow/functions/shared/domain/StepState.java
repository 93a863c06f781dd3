package dev.snapflow.functions.shared.domain;

/** Where one step (a subprocess running one action) stands; see docs/state-machine.md. */
public enum StepState {
    /** Waiting for the previous step's output. */
    PENDING,
    /** Ready to run; waits for a free slot of its tenant (or for its retry backoff). */
    QUEUED,
    /** A job message for its current attempt is on the jobs topic. */
    LAUNCHING,
    /** Its current attempt's job was launched or reported progress. */
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    /** Never ran because an earlier step failed. */
    SKIPPED;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == SKIPPED;
    }

    /** True while the step holds one of its tenant's job slots. */
    public boolean holdsSlot() {
        return this == LAUNCHING || this == RUNNING;
    }
}
