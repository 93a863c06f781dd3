package dev.snapflow.functions.launch.backend;

import dev.snapflow.contracts.jobs.JobId;

import java.util.Objects;

/**
 * A started job as its backend knows it.
 *
 * @param jobId    the job
 * @param backend  {@code kubernetes} or {@code local}
 * @param location where to look for it: {@code namespace/job-name} or the job's work directory
 */
public record JobRef(JobId jobId, String backend, String location) {
    public JobRef {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(location, "location");
    }
}
