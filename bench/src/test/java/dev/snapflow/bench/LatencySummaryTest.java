package dev.snapflow.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencySummaryTest {
    @Test
    void reportsPercentilesOfMicrosecondsInMilliseconds() {
        Histogram micros = LatencySummary.newMicrosHistogram();
        for (int i = 1; i <= 100; i++) {
            micros.recordValue(i * 1_000L);
        }

        LatencySummary summary = LatencySummary.of(micros);

        assertThat(summary.count()).isEqualTo(100);
        assertThat(summary.p50Millis()).isCloseTo(50, within(0.1));
        assertThat(summary.p95Millis()).isCloseTo(95, within(0.1));
        assertThat(summary.p99Millis()).isCloseTo(99, within(0.1));
        assertThat(summary.maxMillis()).isCloseTo(100, within(0.1));
    }

    @Test
    void anEmptyHistogramHasNoPercentiles() {
        LatencySummary summary = LatencySummary.of(LatencySummary.newMicrosHistogram());

        assertThat(summary.count()).isZero();
        assertThat(summary.p99Millis()).isNaN();
    }

    @Test
    void medianOfAnOddCountIsTheMiddleAndOfAnEvenCountTheMeanOfTheTwoMiddles() {
        assertThat(Median.of(java.util.List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Median.of(java.util.List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Median.of(java.util.List.of())).isNaN();
    }
}
