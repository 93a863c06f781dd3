package dev.snapflow.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TargetsTest {
    private static SubmissionBenchmark.Step step(double offered, double accepted, double p99, long errors) {
        return new SubmissionBenchmark.Step(offered, accepted, 100, 100 - errors, errors,
                new LatencySummary(1, p99, p99, p99, p99), "");
    }

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

    @Test
    void aRateTheApiCouldNotReachMissesTheTarget() {
        List<SubmissionBenchmark.Step> stoppedAt50 = List.of(step(50, 43, 1533));

        assertThat(Targets.submissionAt500(stoppedAt50)).contains(false);
        assertThat(Targets.verdict(Targets.submissionAt500(stoppedAt50))).isEqualTo("**not met**");
    }

    @Test
    void theRateItselfDecidesWhenItWasReached() {
        assertThat(Targets.submissionAt500(List.of(step(250, 250, 10), step(500, 499, 24)))).contains(true);
        assertThat(Targets.submissionAt500(List.of(step(250, 250, 10), step(500, 499, 26)))).contains(false);
        assertThat(Targets.submissionAt500(List.of(step(500, 400, 20)))).contains(false);
    }

    @Test
    void noStepAtAllMeasuredNothing() {
        assertThat(Targets.submissionAt500(List.of())).isEmpty();
        assertThat(Targets.verdict(Optional.empty())).isEqualTo("not measured");
    }

    @Test
    void stepsThatEndBelow500WithoutSaturatingMeasuredNothingAt500() {
        assertThat(Targets.submissionAt500(List.of(step(50, 50, 5, 0), step(250, 250, 8, 0)))).isEmpty();
    }

    @Test
    void sparkIsWithinThreeTimesWhenDuckDbIsAtMostThreeTimesFaster() {
        assertThat(Targets.sparkWithinDuckDb(3.0)).contains(true);
        assertThat(Targets.sparkWithinDuckDb(0.5)).contains(true);
        assertThat(Targets.sparkWithinDuckDb(3.01)).contains(false);
        assertThat(Targets.sparkWithinDuckDb(Double.NaN)).isEmpty();
    }

    @Test
    void jobFixedOverheadIsMetUpToSixSecondsAndUnknownWithoutARunningReport() {
        assertThat(Targets.jobFixedOverhead(6000)).contains(true);
        assertThat(Targets.jobFixedOverhead(6001)).contains(false);
        assertThat(Targets.jobFixedOverhead(Double.NaN)).isEmpty();
        assertThat(Targets.jobFixedOverhead(-1)).isEmpty();
    }
}
