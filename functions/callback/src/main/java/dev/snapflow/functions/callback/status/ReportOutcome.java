package dev.snapflow.functions.callback.status;

/** What applying one status report did; the HTTP endpoint maps each to a status code. */
public enum ReportOutcome {
    /** The report changed the attempt (and maybe the step and process). */
    APPLIED,
    /** Already applied, or older than one already applied (by sequence): harmless, nothing changed. */
    DUPLICATE,
    /** No such job. */
    UNKNOWN_JOB,
    /** The job is a superseded attempt of its step: its report must not change the step. */
    STALE_ATTEMPT,
    /** The attempt or process already ended otherwise (e.g. cancelled): the job should stop. */
    ALREADY_FINISHED
}
