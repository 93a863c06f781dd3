package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.SnapshotRef;

import java.time.Instant;

/**
 * Data of {@value EventTypes#JOB_REQUESTED}: enqueue asks launch to run one attempt of one step. The job's whole
 * command line is in {@code arguments}; launch passes {@link JobArguments#toArgs()} to the job unchanged.
 * Launching is idempotent on {@code jobId}: a redelivered message names the job that already exists.
 *
 * @param jobId          {@code JobId.of(processId, step, attempt)} of the arguments (checked)
 * @param arguments      the job's arguments
 * @param timeoutSeconds how long the attempt may run before launch stops it
 * @param requestedAt    when enqueue requested it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRequested(
        String jobId,
        JobArguments arguments,
        int timeoutSeconds,
        Instant requestedAt) implements EntityScoped, ProcessScoped {

    public JobRequested {
        FieldRules.required("jobId", jobId);
        FieldRules.required("arguments", arguments);
        String expected = arguments.jobId().value();
        if (!expected.equals(jobId)) {
            throw new IllegalArgumentException("jobId must be '" + expected + "' (from the arguments' process, step and attempt), was '" + jobId + "'");
        }
        FieldRules.requirePositive("timeoutSeconds", timeoutSeconds);
        FieldRules.required("requestedAt", requestedAt);
    }

    public static JobRequested of(JobArguments arguments, int timeoutSeconds, Instant requestedAt) {
        return new JobRequested(arguments.jobId().value(), arguments, timeoutSeconds, requestedAt);
    }

    public JobId id() {
        return new JobId(jobId);
    }

    @Override
    public String processId() {
        return arguments.processId();
    }

    @Override
    public String tenant() {
        return arguments.tenant();
    }

    @Override
    public String entity() {
        return arguments.entity();
    }

    public int step() {
        return arguments.step();
    }

    public int attempt() {
        return arguments.attempt();
    }

    public SnapshotRef snapshotRef() {
        return new SnapshotRef(arguments.tenant(), arguments.entity(), arguments.dataVersion());
    }
}
