package dev.snapflow.functions.launch.backend;

/**
 * Where jobs run: Kubernetes in production, child JVMs on one machine. Both are idempotent by job id, so
 * a redelivered job message never starts a second job.
 */
public interface JobBackend {

    /** Starts the job unless a job with its id was started before (by this or any other launch instance). */
    LaunchOutcome launch(JobLaunch launch);

    /**
     * What became of a job that was seen running (callback's reconciler asks through a re-driven job.requested):
     * {@link LaunchOutcome.AlreadyRunning} while it runs, {@link LaunchOutcome.Ended} once it ended or is gone.
     * Never starts anything: a job that ran must not run twice.
     */
    LaunchOutcome probe(JobLaunch launch);

    /** Stops every running job of the process; jobs already finished are left alone. */
    CancelOutcome cancelProcess(String processId);
}
