package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.contracts.storage.SnapshotRef;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Data of {@value EventTypes#PROCESS_ACCEPTED}: validate has persisted a process and resolved everything enqueue
 * needs to start its first step. Step {@code n} (from 1) is {@code steps.get(n - 1)}.
 *
 * @param processId     the process UUID
 * @param tenant        tenant id
 * @param entity        entity name
 * @param dataVersion   the concrete data version ({@code latest} already resolved)
 * @param pipeline      the pipeline name, or the action name when a single action was requested
 * @param steps         the actions to run, in order, each with its own params
 * @param inputManifest the committed raw manifest the first step reads, {@code s3://bucket/key}
 * @param acceptedAt    when validate accepted it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessAccepted(
        String processId,
        String tenant,
        String entity,
        String dataVersion,
        String pipeline,
        List<PipelineStep> steps,
        String inputManifest,
        Instant acceptedAt) implements EntityScoped, ProcessScoped {

    public ProcessAccepted {
        FieldRules.requireProcessId("processId", processId);
        new SnapshotRef(tenant, entity, dataVersion);
        FieldRules.requireConcreteVersion("dataVersion", dataVersion);
        PathSegment.requireSafe("pipeline", pipeline);
        if (steps == null || steps.isEmpty()) {
            throw new IllegalArgumentException("steps must name at least one action");
        }
        steps = List.copyOf(steps);
        FieldRules.requireS3Uri("inputManifest", inputManifest);
        FieldRules.required("acceptedAt", acceptedAt);
    }

    public SnapshotRef snapshotRef() {
        return new SnapshotRef(tenant, entity, dataVersion);
    }

    /** @param step from 1 */
    public PipelineStep step(int step) {
        if (step < 1 || step > steps.size()) {
            throw new IllegalArgumentException("step " + step + " is not in 1.." + steps.size());
        }
        return steps.get(step - 1);
    }

    /** One step of a pipeline: an action from the catalog and its params (empty when none). */
    public record PipelineStep(String action, Map<String, Object> params) {
        public PipelineStep {
            PathSegment.requireSafe("action", action);
            params = FieldRules.copyParams(params);
        }
    }
}
