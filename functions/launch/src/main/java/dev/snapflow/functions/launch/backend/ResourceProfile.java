package dev.snapflow.functions.launch.backend;

/**
 * Driver and executor sizes of an action. Memory in MiB so that Spark ({@code 2048m}) and Kubernetes
 * ({@code 2048Mi}) quantities come from one number.
 *
 * @param driverCores        driver CPU cores (also the local-mode parallelism of a local job)
 * @param driverMemoryMb     driver heap
 * @param executorInstances  number of executors (0: the driver does the work alone)
 * @param executorCores      cores per executor
 * @param executorMemoryMb   heap per executor
 * @param memoryOverheadMb   non-heap memory added to each container's request and limit
 */
public record ResourceProfile(int driverCores, int driverMemoryMb, int executorInstances, int executorCores,
                              int executorMemoryMb, int memoryOverheadMb) {
    public ResourceProfile {
        requireAtLeast("driverCores", driverCores, 1);
        requireAtLeast("driverMemoryMb", driverMemoryMb, 64);
        requireAtLeast("executorInstances", executorInstances, 0);
        requireAtLeast("executorCores", executorCores, 1);
        requireAtLeast("executorMemoryMb", executorMemoryMb, 64);
        requireAtLeast("memoryOverheadMb", memoryOverheadMb, 0);
    }

    /** What the driver container may use in all: heap plus overhead. */
    public int driverContainerMemoryMb() {
        return driverMemoryMb + memoryOverheadMb;
    }

    private static void requireAtLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be at least " + min + ", was " + value);
        }
    }
}
