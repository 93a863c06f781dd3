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

    public static String verdict(Optional<Boolean> met) {
        return met.map(ok -> ok ? "met" : "**not met**").orElse("not measured");
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
