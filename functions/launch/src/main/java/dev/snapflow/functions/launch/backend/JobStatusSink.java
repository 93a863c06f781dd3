package dev.snapflow.functions.launch.backend;

import dev.snapflow.contracts.jobs.JobStatusReport;

/**
 * Where a backend reports what it saw happen to a job that could not report itself (a crash before its first
 * report, an OOM kill, a deadline). Returns once the report is durably handed over; throws otherwise.
 */
@FunctionalInterface
public interface JobStatusSink {
    void report(JobStatusReport report);
}
