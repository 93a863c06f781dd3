package dev.snapflow.bench;

import java.time.Duration;

/**
 * Fixed-rate arrivals: request {@code i} is due at {@code start + i / rate}, whatever happened to the requests before
 * it. Latency is measured from the due time, not from when the request was actually sent, so a stalled server is
 * charged for the requests it held back (no coordinated omission).
 */
public record OpenLoopSchedule(long startNanos, double ratePerSecond, Duration duration) {
    public OpenLoopSchedule {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, was " + ratePerSecond);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
    }

    /** How many requests the schedule holds: every one due before the end. */
    public long requests() {
        return (long) Math.ceil(duration.toNanos() / 1e9 * ratePerSecond);
    }

    /** When request {@code index} (0-based) is due, in {@link System#nanoTime()} terms. */
    public long dueNanos(long index) {
        return startNanos + Math.round(index * 1e9 / ratePerSecond);
    }
}
