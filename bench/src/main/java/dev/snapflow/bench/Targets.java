package dev.snapflow.bench;

import java.util.Optional;

/** The project's speed targets, and whether a measured figure meets one. Reported, never enforced. */
public final class Targets {
    private Targets() {
    }

    public static final double SUBMISSION_P99_AT_500_MILLIS = 25;
    public static final double SUSTAINED_RATE_P99_LIMIT_MILLIS = 100;
    public static final double SUSTAINED_RATE = 1500;
    public static final double COLD_START_AOT_MILLIS = 800;
    public static final double RSS_MIB = 200;
    public static final double DISPATCH_LAUNCHED_P99_MILLIS = 150;
    /** DuckDB's rows/s over Spark's on aggregate at 10M rows. */
    public static final double SPARK_DUCKDB_RATIO = 3;
    public static final long SPARK_TARGET_ROWS = 10_000_000L;
    public static final double JOB_FIXED_OVERHEAD_MILLIS = 6000;

    public static String verdict(Optional<Boolean> met) {
        return met.map(ok -> ok ? "met" : "**not met**").orElse("not measured");
    }

    /**
     * p99 ≤ 25 ms at 500/s (with at least 90 % of it accepted). The rates rise until the API saturates, so when they
     * stopped below 500/s the API could not take 500/s: that misses the target. Only a run without any step (the
     * benchmark did not run or failed before its first rate) measured nothing.
     */
    public static Optional<Boolean> submissionAt500(java.util.List<SubmissionBenchmark.Step> steps) {
        Optional<SubmissionBenchmark.Step> at500 = steps.stream().filter(s -> s.offeredPerSecond() == 500).findFirst();
        if (at500.isPresent()) {
            SubmissionBenchmark.Step step = at500.get();
            return Optional.of(step.latency().p99Millis() <= SUBMISSION_P99_AT_500_MILLIS
                    && step.acceptedPerSecond() >= 0.9 * 500);
        }
        if (!steps.isEmpty() && steps.getLast().offeredPerSecond() < 500 && steps.getLast().saturated()) {
            return Optional.of(false);
        }
        return Optional.empty();
    }

    /** Spark within 3× of DuckDB: DuckDB's rows/s over Spark's at most 3 (unknown when either side is missing). */
    public static Optional<Boolean> sparkWithinDuckDb(double duckOverSpark) {
        return Double.isNaN(duckOverSpark) ? Optional.empty() : Optional.of(duckOverSpark <= SPARK_DUCKDB_RATIO);
    }

    /** The job's fixed overhead (median process start → first RUNNING report) at most 6 s. */
    public static Optional<Boolean> jobFixedOverhead(double medianFirstRunningMillis) {
        return Double.isNaN(medianFirstRunningMillis) || medianFirstRunningMillis < 0 ? Optional.empty()
                : Optional.of(medianFirstRunningMillis <= JOB_FIXED_OVERHEAD_MILLIS);
    }

    /**
     * The offered rate of the last step, in rising order, before the first one whose p99 passed the limit or that
     * accepted less than 90 % of what was offered (a lucky step after that does not count).
     */
    public static double sustainedRate(java.util.List<SubmissionBenchmark.Step> steps) {
        double best = 0;
        for (SubmissionBenchmark.Step step : steps) {
            if (step.latency().p99Millis() > SUSTAINED_RATE_P99_LIMIT_MILLIS
                    || step.acceptedPerSecond() < 0.9 * step.offeredPerSecond()) {
                break;
            }
            best = step.offeredPerSecond();
        }
        return best;
    }
}
