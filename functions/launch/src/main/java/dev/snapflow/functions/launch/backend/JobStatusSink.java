package dev.snapflow.functions.launch.backend;

/**
 * Where a backend reports what it saw happen to a job that could not report itself (a crash before its first
 * report, an OOM kill, a deadline). Returns once the report is durably handed over; throws otherwise.
 */
@FunctionalInterface
public interface JobStatusSink {
    void report(ObservedFailure failure);
}
