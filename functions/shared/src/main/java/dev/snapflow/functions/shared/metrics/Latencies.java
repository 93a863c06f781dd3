package dev.snapflow.functions.shared.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Snapflow's latency timers and their histograms. Each is a Micrometer {@code Timer}, exposed in base units as
 * {@code <name>_seconds_bucket/_count/_sum/_max}; this filter (applied by Micronaut to the registry as every
 * {@link MeterFilter} bean is) publishes a percentile histogram bounded to the timer's expected range, plus the
 * service-level buckets an alert or a dashboard asks about, so {@code histogram_quantile} works across replicas.
 * docs/metrics.md lists what each measures.
 */
@Singleton
public class Latencies implements MeterFilter {
    /** validate: one submission (API, event or subscription), from its start to the answer; route, outcome */
    public static final String SUBMISSION = "snapflow.submission.duration";
    /** enqueue: a step waiting for a slot, from ready (queued, or its retry's backoff over) to claimed; action */
    public static final String QUEUE_WAIT = "snapflow.step.queue.wait";
    /** callback: a step from ready to its job launched (queue wait plus launch); action */
    public static final String LAUNCH_LATENCY = "snapflow.step.launch.latency";
    /** callback: a process from accepted to its first job launched (the user's wait for a start) */
    public static final String PROCESS_START = "snapflow.process.start.latency";
    /** callback: a job from launched to its first status report (the job's own start-up) ; action */
    public static final String FIRST_REPORT = "snapflow.step.first_report.latency";
    /** callback: one attempt of a step, from its job launched to its end; action, outcome */
    public static final String STEP_DURATION = "snapflow.step.duration";
    /** launch: the backend's call that starts a job; outcome */
    public static final String LAUNCH_CALL = "snapflow.launch.duration";

    private record Range(Duration min, Duration max, Duration... slos) {
    }

    // The percentile histogram has about four buckets per doubling between min and max: the ranges are as narrow
    // as the measured thing allows, so one series has at most about 70 buckets (MetricNamesTest); a value outside the range still
    // counts, in the lowest or the +Inf bucket.
    private static final Map<String, Range> RANGES = Map.of(
            SUBMISSION, new Range(ms(1), s(10), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), s(1), s(2.5)),
            QUEUE_WAIT, new Range(ms(500), s(3600), s(1), s(5), s(30), s(60), s(300), s(900), s(3600)),
            LAUNCH_LATENCY, new Range(ms(100), s(1800), ms(100), ms(500), s(1), s(5), s(30), s(60), s(300)),
            PROCESS_START, new Range(ms(100), s(1800), ms(100), ms(500), s(1), s(5), s(30), s(60), s(300)),
            FIRST_REPORT, new Range(ms(100), s(900), s(1), s(5), s(10), s(30), s(60), s(120), s(300)),
            STEP_DURATION, new Range(s(2), s(21600), s(10), s(30), s(60), s(300), s(900), s(1800), s(3600), s(7200), s(21600)),
            LAUNCH_CALL, new Range(ms(5), s(60), ms(10), ms(50), ms(100), ms(500), s(1), s(5), s(30)));

    /** The names of the timers, for tests and docs. */
    public static java.util.Set<String> names() {
        return RANGES.keySet();
    }

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        Range range = RANGES.get(id.getName());
        if (range == null || id.getType() != Meter.Type.TIMER) {
            return config;
        }
        return DistributionStatisticConfig.builder()
                .percentilesHistogram(true)
                .minimumExpectedValue((double) range.min().toNanos())
                .maximumExpectedValue((double) range.max().toNanos())
                .serviceLevelObjectives(Arrays.stream(range.slos()).mapToDouble(Duration::toNanos).toArray())
                .build()
                .merge(config);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static Duration s(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
