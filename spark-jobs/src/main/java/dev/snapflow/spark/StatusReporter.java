package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobStatusReport;

import java.util.Map;

/** Where the job tells the control plane how it is doing. */
public interface StatusReporter extends AutoCloseable {
    /** Progress; best effort and never blocks the job. A later report supersedes an undelivered one. */
    void running(JobStatusReport.Progress progress);

    /** The terminal report of a success; blocks until delivered or given up. */
    boolean succeeded(String outputManifest, boolean cached, Map<String, Number> metrics);

    /** The terminal report of a failure; blocks until delivered or given up. */
    boolean failed(ErrorClass errorClass, String message);

    @Override
    void close();
}
