package dev.snapflow.functions.shared.catalog;

/** What a job of an action may use: Spark driver and executors (memory as Kubernetes/Spark sizes, e.g. 2g). */
public record ResourceProfile(int driverCores, String driverMemory, int executorCount, int executorCores,
                              String executorMemory) {
}
