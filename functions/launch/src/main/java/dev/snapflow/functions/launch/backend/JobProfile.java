package dev.snapflow.functions.launch.backend;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one job of an action runs: the container image (Kubernetes), the job's main class and the action's
 * fixed arguments (written before the job's own arguments), its resources and how long the attempt may take.
 *
 * @param image     container image of driver and executors
 * @param mainClass the job's entry point
 * @param fixedArgs the action's fixed arguments from the catalog
 * @param resources driver and executor sizes
 * @param timeout   how long the attempt may run before it is killed and reported DEADLINE_EXCEEDED
 */
public record JobProfile(String image, String mainClass, List<String> fixedArgs, ResourceProfile resources,
                         Duration timeout) {
    public JobProfile {
        requireText("image", image);
        requireText("mainClass", mainClass);
        fixedArgs = List.copyOf(fixedArgs);
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
