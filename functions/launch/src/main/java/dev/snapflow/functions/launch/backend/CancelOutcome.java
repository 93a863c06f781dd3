package dev.snapflow.functions.launch.backend;

import dev.snapflow.contracts.jobs.JobId;

import java.util.List;

/** The jobs a cancel stopped; empty when the process had none running. */
public record CancelOutcome(List<JobId> stopped) {
    public CancelOutcome {
        stopped = List.copyOf(stopped);
    }
}
