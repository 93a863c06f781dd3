package dev.snapflow.contracts.jobs;

import java.util.Locale;

/**
 * How a job sized for a cluster (a driver and executors, from the action catalog's {@code resources}) runs as one
 * local-mode JVM, as launch's local backend starts it and the benchmark reproduces it: one JVM does the work of the
 * driver and all executors, so it gets their heap together and the executors' task slots (the driver's cores when
 * there are none), at most the machine's cores. One rule, so the benchmark measures what the backend runs.
 */
public final class LocalModeSizing {
    private LocalModeSizing() {
    }

    /** Spark local mode's task threads ({@code local[N]}). */
    public static int taskSlots(int driverCores, int executorCount, int executorCores, int machineCores) {
        int slots = executorCount == 0 ? driverCores : executorCount * executorCores;
        return Math.max(1, Math.min(slots, machineCores));
    }

    /** The job JVM's heap in MiB. */
    public static int heapMb(int driverMemoryMb, int executorCount, int executorMemoryMb) {
        return driverMemoryMb + executorCount * executorMemoryMb;
    }

    /** A catalog size ({@code 512m}, {@code 2g}, {@code 1536k}, {@code 1t}; case-insensitive) in MiB, rounded up. */
    public static int mebibytes(String size) {
        String text = size.trim().toLowerCase(Locale.ROOT);
        if (text.length() < 2) {
            throw new IllegalArgumentException("not a size like 512m or 2g: '" + size + "'");
        }
        long amount;
        try {
            amount = Long.parseLong(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size like 512m or 2g: '" + size + "'");
        }
        long mib = switch (text.charAt(text.length() - 1)) {
            case 'k' -> (amount + 1023) / 1024;
            case 'm' -> amount;
            case 'g' -> amount * 1024;
            case 't' -> amount * 1024 * 1024;
            default -> throw new IllegalArgumentException("not a size like 512m or 2g: '" + size + "'");
        };
        return Math.toIntExact(mib);
    }
}
