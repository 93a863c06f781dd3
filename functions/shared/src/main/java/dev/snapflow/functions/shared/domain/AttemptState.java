package dev.snapflow.functions.shared.domain;

/** One try of a step, i.e. one job; see docs/state-machine.md. */
public enum AttemptState {
    LAUNCHING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean terminal() {
        return this != LAUNCHING && this != RUNNING;
    }
}
