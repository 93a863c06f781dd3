package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.PathSegment;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@value EventTypes#PROCESS_CANCELLED}: a tenant cancelled a process. enqueue stops starting its steps;
 * launch stops the jobs still running.
 *
 * @param processId   the process
 * @param tenant      tenant id
 * @param entity      entity name
 * @param runningJobs jobs that were still running when it was cancelled (may be empty)
 * @param reason      optional free text from the caller
 * @param cancelledAt when validate recorded the cancellation
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessCancelled(
        String processId,
        String tenant,
        String entity,
        List<String> runningJobs,
        String reason,
        Instant cancelledAt) implements EntityScoped, ProcessScoped {

    public ProcessCancelled {
        FieldRules.requireProcessId("processId", processId);
        PathSegment.requireSafe("tenant", tenant);
        PathSegment.requireSafe("entity", entity);
        runningJobs = runningJobs == null ? List.of() : List.copyOf(runningJobs);
        for (String jobId : runningJobs) {
            if (!new JobId(jobId).processId().equals(processId)) {
                throw new IllegalArgumentException("runningJobs: job '" + jobId + "' belongs to another process");
            }
        }
        FieldRules.required("cancelledAt", cancelledAt);
    }
}
