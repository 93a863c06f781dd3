package dev.snapflow.contracts.events;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One realistic data record per event type, shared by the tests. */
final class SampleEvents {
    static final String PROCESS_ID = "3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b";
    static final Instant AT = Instant.parse("2026-11-21T10:15:30Z");
    static final String BUCKET = "snapflow-data";

    private SampleEvents() {
    }

    static JobArguments arguments() {
        return new JobArguments("acme", "orders", "2026-11-20", "clean", "{\"dropDuplicates\":true}",
                "s3://snapflow-data/acme/orders/2026-11-20/raw/_manifest.json",
                "s3://snapflow-data/acme/orders/2026-11-20/silver/clean-0123456789abcdef/", PROCESS_ID, 1, 1,
                "http://callback.snapflow.svc/v1/jobs/" + JobId.of(PROCESS_ID, 1, 1) + "/status");
    }

    static Map<String, Object> all() {
        String jobId = JobId.of(PROCESS_ID, 1, 1).value();
        String output = "s3://snapflow-data/acme/orders/2026-11-20/silver/clean-0123456789abcdef/_manifest.json";
        return Map.of(
                EventTypes.PROCESS_REQUESTED, new ProcessRequested("acme", "orders", "latest", "clean", null,
                        Map.of("dropDuplicates", true), "https://hooks.acme.example/snapflow", "order-run-42"),
                EventTypes.SNAPSHOT_PUBLISHED, new SnapshotPublished("acme", "orders", "2026-11-20",
                        "acme/orders/2026-11-20/raw/_manifest.json", 120_000L, AT),
                EventTypes.PROCESS_ACCEPTED, new ProcessAccepted(PROCESS_ID, "acme", "orders", "2026-11-20", "clean",
                        List.of(new ProcessAccepted.PipelineStep("clean", Map.of("dropDuplicates", true))),
                        "s3://snapflow-data/acme/orders/2026-11-20/raw/_manifest.json", AT),
                EventTypes.JOB_REQUESTED, JobRequested.of(arguments(), 1800, AT),
                EventTypes.JOB_LAUNCHED, new JobLaunched(jobId, "kubernetes", "snapflow-jobs/" + jobId, AT),
                EventTypes.JOB_STATUS, new JobStatusReport(jobId, 1, JobState.FAILED, 7, AT, null, null, null, null,
                        new JobStatusReport.JobError(ErrorClass.RESOURCE_EXHAUSTED, "OOMKilled"),
                        JobStatusReport.REPORTER_KUBERNETES),
                EventTypes.STEP_COMPLETED, new StepCompleted(PROCESS_ID, "acme", "orders", 1, 1, jobId, "clean",
                        StepOutcome.SUCCEEDED, output, false, null, AT),
                EventTypes.PROCESS_CANCELLED, new ProcessCancelled(PROCESS_ID, "acme", "orders", List.of(jobId),
                        "wrong data version", AT),
                EventTypes.PROCESS_SUCCEEDED, new ProcessSucceeded(PROCESS_ID, "acme", "orders", "2026-11-20", "clean",
                        List.of(new ProcessSucceeded.StepResult(1, "clean", output, false,
                                Map.of("rowsIn", 120000, "rowsOut", 119950, "rowsRejected", 50))),
                        "order-run-42", AT),
                EventTypes.PROCESS_FAILED, new ProcessFailed(PROCESS_ID, "acme", "orders", "2026-11-20", "clean", 1,
                        "clean", 3, ErrorClass.INVALID_DATA, "column amount: 12% of rows are not decimals",
                        null, AT));
    }
}
