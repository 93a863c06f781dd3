package dev.snapflow.bench;

import org.HdrHistogram.Histogram;

/** Percentiles of one latency histogram recorded in microseconds, reported in milliseconds. */
public record LatencySummary(long count, double p50Millis, double p95Millis, double p99Millis, double maxMillis) {

    /** A histogram for latencies from 1 µs to 10 min, 3 significant digits. */
    public static Histogram newMicrosHistogram() {
        return new Histogram(1, 600_000_000L, 3);
    }

    public static LatencySummary of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new LatencySummary(micros.getTotalCount(), millis(micros.getValueAtPercentile(50)),
                millis(micros.getValueAtPercentile(95)), millis(micros.getValueAtPercentile(99)),
                millis(micros.getMaxValue()));
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }
}
