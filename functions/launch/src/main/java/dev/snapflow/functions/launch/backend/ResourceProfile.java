package dev.snapflow.functions.launch.backend;

import dev.snapflow.contracts.jobs.LocalModeSizing;

/**
 * Driver and executor sizes of an action. Memory in MiB so that Spark ({@code 2048m}) and Kubernetes
 * ({@code 2048Mi}) quantities come from one number.
 *
 * @param driverCores       driver CPU cores
 * @param driverMemoryMb    driver heap
 * @param executorInstances number of executors (0: the driver does the work alone)
 * @param executorCores     cores per executor
 * @param executorMemoryMb  heap per executor
 */
public record ResourceProfile(int driverCores, int driverMemoryMb, int executorInstances, int executorCores,
                              int executorMemoryMb) {
    /** Spark's own rule for non-heap memory: 10% of the heap, at least 384 MiB. */
    static final int MIN_OVERHEAD_MB = 384;

    public ResourceProfile {
        requireAtLeast("driverCores", driverCores, 1);
        requireAtLeast("driverMemoryMb", driverMemoryMb, 64);
        requireAtLeast("executorInstances", executorInstances, 0);
        requireAtLeast("executorCores", executorCores, 1);
        requireAtLeast("executorMemoryMb", executorMemoryMb, 64);
    }

    public int driverOverheadMb() {
        return overhead(driverMemoryMb);
    }

    public int executorOverheadMb() {
        return overhead(executorMemoryMb);
    }

    /** The driver container's memory request and limit: heap plus overhead, as Spark sizes its own pods. */
    public int driverContainerMemoryMb() {
        return driverMemoryMb + driverOverheadMb();
    }

    /**
     * Task slots of a local-mode job, where one JVM is driver and executors at once: the executors' cores (the
     * driver's own cores run no tasks on a cluster either); the driver's when the profile has no executors; at most
     * {@code machineCores}.
     */
    public int localTaskSlots(int machineCores) {
        return LocalModeSizing.taskSlots(driverCores, executorInstances, executorCores, machineCores);
    }

    /** Heap of a local-mode job: what the driver and all executors together would have on a cluster. */
    public int localHeapMb() {
        return LocalModeSizing.heapMb(driverMemoryMb, executorInstances, executorMemoryMb);
    }

    private static int overhead(int heapMb) {
        return Math.max(MIN_OVERHEAD_MB, heapMb / 10);
    }

    private static void requireAtLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be at least " + min + ", was " + value);
        }
    }
}
