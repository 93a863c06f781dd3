package dev.snapflow.functions.launch.backend;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;

import java.util.Objects;

/**
 * Everything a backend needs to start one job.
 *
 * @param arguments     the job's command line, passed unchanged
 * @param profile       image, entry point, resources and timeout of the action
 * @param callbackToken the job's own token; goes into its environment (a Secret on Kubernetes), never its args
 */
public record JobLaunch(JobArguments arguments, JobProfile profile, String callbackToken) {
    public JobLaunch {
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(profile, "profile");
        if (callbackToken == null || callbackToken.isBlank()) {
            throw new IllegalArgumentException("callbackToken is required");
        }
    }

    public JobId jobId() {
        return arguments.jobId();
    }

    /** Keeps the token out of logs. */
    @Override
    public String toString() {
        return "JobLaunch[" + jobId() + ", action=" + arguments.action() + ", profile=" + profile + "]";
    }
}
