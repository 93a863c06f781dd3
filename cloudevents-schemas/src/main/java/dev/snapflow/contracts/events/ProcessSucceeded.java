package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.contracts.storage.SnapshotRef;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Data of {@value EventTypes#PROCESS_SUCCEEDED}: every step of a process committed its output. The result for
 * other systems; the last step's output is the process's result.
 *
 * @param processId      the process
 * @param tenant         tenant id
 * @param entity         entity name
 * @param dataVersion    the concrete data version it read
 * @param pipeline       the pipeline (or single action) it ran
 * @param steps          one result per step, in order
 * @param idempotencyKey the caller's idempotency key, when the request had one (for correlation)
 * @param finishedAt     when the last step completed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessSucceeded(
        String processId,
        String tenant,
        String entity,
        String dataVersion,
        String pipeline,
        List<StepResult> steps,
        String idempotencyKey,
        Instant finishedAt) implements EntityScoped, ProcessScoped {

    public ProcessSucceeded {
        FieldRules.requireProcessId("processId", processId);
        new SnapshotRef(tenant, entity, dataVersion);
        FieldRules.requireConcreteVersion("dataVersion", dataVersion);
        PathSegment.requireSafe("pipeline", pipeline);
        if (steps == null || steps.isEmpty()) {
            throw new IllegalArgumentException("steps must hold at least one step result");
        }
        steps = List.copyOf(steps);
        FieldRules.required("finishedAt", finishedAt);
    }

    /** The last step's committed output manifest: the process's result. */
    public String resultManifest() {
        return steps.get(steps.size() - 1).outputManifest();
    }

    /**
     * One step's result.
     *
     * @param step           step index, from 1
     * @param action         its action
     * @param outputManifest its committed output manifest, {@code s3://bucket/key}
     * @param cached         true when the output already existed and Spark did not run
     * @param metrics        rowsIn, rowsOut, rowsRejected, bytesOut, durationMs, ... (empty when none)
     */
    public record StepResult(int step, String action, String outputManifest, boolean cached, Map<String, Number> metrics) {
        public StepResult {
            FieldRules.requirePositive("step", step);
            PathSegment.requireSafe("action", action);
            FieldRules.requireS3Uri("outputManifest", outputManifest);
            metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        }
    }
}
