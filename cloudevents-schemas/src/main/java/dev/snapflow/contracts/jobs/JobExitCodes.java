package dev.snapflow.contracts.jobs;

/**
 * Exit codes every job shares with its launcher, beyond its own ({@code spark-jobs}' ExitCodes): what a backend
 * that only sees the exit code must not take for a crash.
 */
public final class JobExitCodes {
    /**
     * The callback answered a report with 409 {@code stale-attempt} or {@code already-finished} (the process was
     * cancelled, or a newer attempt of the step runs): the job stopped its work at once and sent no terminal report.
     * Nothing is to be reported for it: the control plane decided its end already.
     */
    public static final int STOPPED = 79;

    /** The problem types of callback's 409 answers that tell a job to stop (RFC 9457 {@code type}). */
    public static final String STALE_ATTEMPT_PROBLEM = "https://snapflow.dev/problems/stale-attempt";
    public static final String ALREADY_FINISHED_PROBLEM = "https://snapflow.dev/problems/already-finished";

    private JobExitCodes() {
    }
}
