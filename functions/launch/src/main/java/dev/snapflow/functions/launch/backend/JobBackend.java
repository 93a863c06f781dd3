package dev.snapflow.functions.launch.backend;

/**
 * Where jobs run: Kubernetes in production, child JVMs on one machine. Both are idempotent by job id, so
 * a redelivered job message never starts a second job.
 */
public interface JobBackend {

    /** Starts the job unless a job with its id was started before (by this or any other launch instance). */
    LaunchOutcome launch(JobLaunch launch);

    /** Stops every running job of the process; jobs already finished are left alone. */
    CancelOutcome cancelProcess(String processId);
}
