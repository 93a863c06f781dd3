package dev.snapflow.contracts.jobs;

/** The states a job reports about itself (and that Kubernetes reports for it when it cannot). */
public enum JobState {
    RUNNING,
    SUCCEEDED,
    FAILED;

    public boolean terminal() {
        return this != RUNNING;
    }
}
