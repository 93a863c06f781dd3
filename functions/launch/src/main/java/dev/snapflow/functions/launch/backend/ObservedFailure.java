package dev.snapflow.functions.launch.backend;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.PathSegment;

import java.time.Instant;
import java.util.Objects;

/**
 * A failure the platform observed on a job's behalf (the job was killed, crashed or never started).
 *
 * @param jobId      the job
 * @param tenant     the job's tenant (events about it are keyed by tenant/entity)
 * @param entity     the job's entity
 * @param errorClass why, in control-plane terms
 * @param message    what was seen, for people
 */
public record ObservedFailure(JobId jobId, String tenant, String entity, ErrorClass errorClass, String message) {

    /**
     * The platform's word comes after anything the job itself could still say about this attempt, so the
     * report carries the highest sequence: a callback that orders reports by sequence never takes it for a
     * late report. The callback keeps the first terminal state, so a job that did report first wins.
     */
    public static final long PLATFORM_SEQUENCE = Long.MAX_VALUE;

    public ObservedFailure {
        Objects.requireNonNull(jobId, "jobId");
        PathSegment.requireSafe("tenant", tenant);
        PathSegment.requireSafe("entity", entity);
        Objects.requireNonNull(errorClass, "errorClass");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The job.status data. The contract knows two reporters, the job and the platform ({@code kubernetes});
     * the local backend stands in for Kubernetes on one machine, so it reports as the platform too.
     */
    public JobStatusReport toReport(Instant observedAt) {
        return new JobStatusReport(jobId.value(), jobId.attempt(), JobState.FAILED, PLATFORM_SEQUENCE, observedAt,
                null, null, null, null, new JobStatusReport.JobError(errorClass, message),
                JobStatusReport.REPORTER_KUBERNETES);
    }

    /** {@code tenant/entity}, the events' partition key. */
    public String partitionKey() {
        return tenant + "/" + entity;
    }
}
