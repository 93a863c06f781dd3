package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport.JobError;
import dev.snapflow.contracts.storage.PathSegment;

import java.time.Instant;

/**
 * Data of {@value EventTypes#STEP_COMPLETED}: callback tells enqueue that an attempt reached its end, so enqueue
 * can free the tenant's slot and then start the next step, retry (when {@code error} is retryable), or finish.
 *
 * @param processId      the process
 * @param tenant         tenant id (its slot is freed)
 * @param entity         entity name
 * @param step           step index, from 1
 * @param attempt        attempt number, from 1
 * @param jobId          the job that ran the attempt (checked against process, step and attempt)
 * @param action         the step's action
 * @param outcome        SUCCEEDED, FAILED or CANCELLED
 * @param outputManifest for SUCCEEDED: the committed output manifest, {@code s3://bucket/key}; else absent
 * @param cached         for SUCCEEDED: true when the output was already committed and Spark did not run
 * @param error          for FAILED: class and message; else absent
 * @param completedAt    when callback recorded the outcome
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepCompleted(
        String processId,
        String tenant,
        String entity,
        int step,
        int attempt,
        String jobId,
        String action,
        StepOutcome outcome,
        String outputManifest,
        Boolean cached,
        JobError error,
        Instant completedAt) implements EntityScoped, ProcessScoped {

    public StepCompleted {
        FieldRules.requireProcessId("processId", processId);
        PathSegment.requireSafe("tenant", tenant);
        PathSegment.requireSafe("entity", entity);
        FieldRules.requirePositive("step", step);
        FieldRules.requirePositive("attempt", attempt);
        String expected = JobId.of(processId, step, attempt).value();
        if (!expected.equals(jobId)) {
            throw new IllegalArgumentException("jobId must be '" + expected + "', was '" + jobId + "'");
        }
        PathSegment.requireSafe("action", action);
        FieldRules.required("outcome", outcome);
        if (outcome == StepOutcome.SUCCEEDED) {
            FieldRules.requireS3Uri("outputManifest", outputManifest);
        } else if (outputManifest != null) {
            throw new IllegalArgumentException("outputManifest is only given when the outcome is SUCCEEDED");
        }
        if (outcome == StepOutcome.FAILED) {
            FieldRules.required("error", error);
            FieldRules.required("error.errorClass", error.errorClass());
        }
        FieldRules.required("completedAt", completedAt);
    }

    /** True when the step failed in a way another attempt may fix. */
    public boolean retryable() {
        return outcome == StepOutcome.FAILED && error.retryable();
    }
}
