package dev.snapflow.functions.launch.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * How an action runs: the container image (Kubernetes), the job's main class and jar inside the image,
 * its resources and how long one attempt may take.
 *
 * @param image          container image of driver and executors
 * @param mainClass      the job's entry point
 * @param applicationJar the job jar as spark-submit sees it inside the image, e.g. {@code local:///opt/snapflow/spark-jobs.jar}
 * @param resources      driver and executor sizes
 * @param timeout        how long one attempt may run before it is killed and reported DEADLINE_EXCEEDED
 */
public record JobProfile(String image, String mainClass, String applicationJar, ResourceProfile resources,
                         Duration timeout) {
    public JobProfile {
        requireText("image", image);
        requireText("mainClass", mainClass);
        requireText("applicationJar", applicationJar);
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
    }
}
