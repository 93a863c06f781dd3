package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.storage.PathSegment;

import java.time.Instant;

/**
 * Data of {@value EventTypes#PROCESS_FAILED}: a process ended without a result. The result for other systems.
 *
 * @param processId      the process
 * @param tenant         tenant id
 * @param entity         entity name
 * @param dataVersion    the data version it read (as requested when it failed before resolving {@code latest})
 * @param pipeline       the pipeline (or single action) it ran
 * @param failedStep     the step that failed, from 1; absent when it failed before any step ran
 * @param failedAction   that step's action; absent with {@code failedStep}
 * @param attempts       how many attempts the failed step had; absent with {@code failedStep}
 * @param errorClass     why, in terms of whether trying again can help
 * @param message        a one-line explanation for people
 * @param idempotencyKey the caller's idempotency key, when the request had one (for correlation)
 * @param finishedAt     when the process was marked failed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessFailed(
        String processId,
        String tenant,
        String entity,
        String dataVersion,
        String pipeline,
        Integer failedStep,
        String failedAction,
        Integer attempts,
        ErrorClass errorClass,
        String message,
        String idempotencyKey,
        Instant finishedAt) implements EntityScoped, ProcessScoped {

    public ProcessFailed {
        FieldRules.requireProcessId("processId", processId);
        PathSegment.requireSafe("tenant", tenant);
        PathSegment.requireSafe("entity", entity);
        PathSegment.requireSafe("dataVersion", dataVersion);
        PathSegment.requireSafe("pipeline", pipeline);
        if (failedStep != null) {
            FieldRules.requirePositive("failedStep", failedStep);
            PathSegment.requireSafe("failedAction", failedAction);
            FieldRules.requirePositive("attempts", FieldRules.required("attempts", attempts));
        } else if (failedAction != null || attempts != null) {
            throw new IllegalArgumentException("failedAction and attempts are only given with failedStep");
        }
        FieldRules.required("errorClass", errorClass);
        FieldRules.requiredText("message", message);
        FieldRules.required("finishedAt", finishedAt);
    }
}
