package dev.snapflow.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TargetsTest {
    private static SubmissionBenchmark.Step step(double offered, double accepted, double p99) {
        return new SubmissionBenchmark.Step(offered, accepted, 0, 0, 0, new LatencySummary(1, p99, p99, p99, p99), "");
    }

    @Test
    void sustainedRateIsTheLastRateBeforeP99PassesTheLimitOrAcceptedFallsBehind() {
        List<SubmissionBenchmark.Step> steps = List.of(step(500, 500, 20), step(1000, 995, 90), step(1500, 1300, 80),
                step(2000, 1990, 60));

        assertThat(Targets.sustainedRate(steps)).isEqualTo(1000);
    }

    @Test
    void noStepWithinTheLimitSustainsNothing() {
        assertThat(Targets.sustainedRate(List.of(step(50, 50, 170)))).isZero();
    }

    @Test
    void nearestRankPercentileOfAFewSamples() {
        List<Double> samples = List.of(5.0, 1.0, 4.0, 2.0, 3.0);

        assertThat(BenchMain.percentile(samples, 50)).isEqualTo(3.0);
        assertThat(BenchMain.percentile(samples, 99)).isEqualTo(5.0);
        assertThat(BenchMain.percentile(samples, 100)).isEqualTo(5.0);
        assertThat(BenchMain.percentile(List.of(), 50)).isNaN();
    }
}
