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
 * @param traceparent   the W3C trace context of launch's span, for the job's environment
 *                      ({@value JobArguments#TRACEPARENT_ENV}); null when there is none
 */
public record JobLaunch(JobArguments arguments, JobProfile profile, String callbackToken, String traceparent) {
    public JobLaunch(JobArguments arguments, JobProfile profile, String callbackToken) {
        this(arguments, profile, callbackToken, null);
    }

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
