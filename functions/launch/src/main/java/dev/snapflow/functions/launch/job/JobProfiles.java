package dev.snapflow.functions.launch.job;

import dev.snapflow.functions.launch.backend.JobProfile;

import java.time.Duration;
import java.util.Optional;

/** How an action runs (image, entry point, resources); empty for an action launch does not know. */
public interface JobProfiles {
    Optional<JobProfile> profileFor(String action, Duration timeout);
}
