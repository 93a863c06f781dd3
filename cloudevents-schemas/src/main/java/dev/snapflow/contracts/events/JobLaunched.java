package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.jobs.JobId;

import java.time.Instant;

/**
 * Data of {@value EventTypes#JOB_LAUNCHED}: launch has started (or found already started) a job. Process, step
 * and attempt are part of the job id.
 *
 * @param jobId      the job
 * @param backend    the JobBackend that runs it, e.g. {@code kubernetes} or {@code local}
 * @param backendRef how that backend names it, e.g. {@code namespace/job-name} or a process id
 * @param launchedAt when launch started it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobLaunched(
        String jobId,
        String backend,
        String backendRef,
        Instant launchedAt) implements ProcessScoped {

    public JobLaunched {
        new JobId(FieldRules.required("jobId", jobId));
        FieldRules.requiredText("backend", backend);
        FieldRules.requiredText("backendRef", backendRef);
        FieldRules.required("launchedAt", launchedAt);
    }

    public JobId id() {
        return new JobId(jobId);
    }

    @Override
    public String processId() {
        return id().processId();
    }

    public int step() {
        return id().step();
    }

    public int attempt() {
        return id().attempt();
    }
}
