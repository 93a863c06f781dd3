package dev.snapflow.contracts.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The body of {@code POST /v1/jobs/{jobId}/status} (job → callback function), and the data of the
 * {@code dev.snapflow.job.status.v1} event. Authenticated by the job's own token in
 * {@code Authorization: Bearer}, never carried in the body.
 *
 * @param jobId          the reporting job
 * @param attempt        the attempt the job belongs to (reports of stale attempts are rejected)
 * @param state          RUNNING, SUCCEEDED or FAILED
 * @param sequence       increases with every report of one attempt, so late reports can be recognised
 * @param reportedAt     when the job sent it
 * @param progress       for RUNNING: stages and tasks done; else null
 * @param outputManifest for SUCCEEDED: the committed output manifest ({@code s3://bucket/key}); else null
 * @param cached         for SUCCEEDED: true when the output was already committed and Spark did not run
 * @param metrics        for SUCCEEDED: rowsIn, rowsOut, rowsRejected, bytesOut, durationMs (others allowed)
 * @param error          for FAILED: class and message; else null
 * @param reporter       {@code job} for the job itself, {@code kubernetes} for the backend's watcher
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobStatusReport(
        String jobId,
        int attempt,
        JobState state,
        long sequence,
        Instant reportedAt,
        Progress progress,
        String outputManifest,
        Boolean cached,
        Map<String, Number> metrics,
        JobError error,
        String reporter) {

    public static final String REPORTER_JOB = "job";
    public static final String REPORTER_KUBERNETES = "kubernetes";

    public JobStatusReport {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(state, "state");
        metrics = metrics == null ? null : Map.copyOf(metrics);
    }

    /** Progress of a running job, from its SparkListener. */
    public record Progress(int stagesDone, int stagesTotal, long tasksDone, long tasksTotal) {
        /** Tasks done over tasks known so far, 0..1. */
        public double fraction() {
            return tasksTotal <= 0 ? 0.0 : Math.min(1.0, (double) tasksDone / tasksTotal);
        }
    }

    /** Why a job failed; {@code errorClass} tells the control plane whether a retry can help. */
    public record JobError(ErrorClass errorClass, String message) {
        public boolean retryable() {
            return errorClass.retryable();
        }
    }
}
