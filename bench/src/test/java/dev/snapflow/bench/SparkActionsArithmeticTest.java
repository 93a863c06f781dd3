package dev.snapflow.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SparkActionsArithmeticTest {
    private static SparkActionsBenchmark.Comparison comparison(long sparkJobMillis, long sparkProcessMillis, long duckMillis) {
        return new SparkActionsBenchmark.Comparison(1_000_000, "aggregate",
                new SparkActionsBenchmark.SparkRun("aggregate", 1_000_000, 300, sparkJobMillis, sparkProcessMillis, 4000, false,
                        "s3://b/m.json"),
                new SparkActionsBenchmark.DuckRun("aggregate", 1_000_000, 300, duckMillis));
    }

    @Test
    void rowsPerSecondAreRowsInOverTheJobsOwnDurationAndTheRatioIsDuckDbOverSpark() {
        SparkActionsBenchmark.Comparison c = comparison(10_000, 16_000, 2_000);

        assertThat(c.sparkRowsPerSecond()).isCloseTo(100_000, within(0.001));
        assertThat(c.sparkProcessRowsPerSecond()).isCloseTo(62_500, within(0.001));
        assertThat(c.duckRowsPerSecond()).isCloseTo(500_000, within(0.001));
        assertThat(c.duckOverSpark()).isCloseTo(5.0, within(0.0001));
    }

    @Test
    void aRatioBelowOneMeansSparkWasFaster() {
        assertThat(comparison(1_000, 5_000, 4_000).duckOverSpark()).isCloseTo(0.25, within(0.0001));
    }

    @Test
    void aZeroDurationOrAMissingSideHasNoRate() {
        assertThat(SparkActionsBenchmark.rowsPerSecond(10, 0)).isNaN();
        assertThat(comparison(0, 1, 1).duckOverSpark()).isNaN();
        assertThat(new SparkActionsBenchmark.Comparison(1, "ingest", comparison(1, 1, 1).spark(), null).duckOverSpark()).isNaN();
    }

    @Test
    void rowCountsAreLabelledInThousandsAndMillions() {
        assertThat(Charts.rowsLabel(1_000_000)).isEqualTo("1M");
        assertThat(Charts.rowsLabel(10_000_000)).isEqualTo("10M");
        assertThat(Charts.rowsLabel(20_000)).isEqualTo("20k");
        assertThat(Charts.rowsLabel(1_500_000)).isEqualTo("1500k");
        assertThat(Charts.rowsLabel(10)).isEqualTo("10");
    }
}
