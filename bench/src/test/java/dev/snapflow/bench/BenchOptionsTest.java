package dev.snapflow.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {
    @Test
    void withoutOnlyEveryBenchmarkRunsAndQuickMeasuresSparkAtOneMillionRows() {
        BenchMain.Options options = BenchMain.Options.parse(new String[]{"--quick", "--root", "/tmp"});

        assertThat(options.all()).isTrue();
        assertThat(BenchMain.BENCHMARKS).allMatch(options::runs);
        assertThat(options.sparkRows()).containsExactly(1_000_000L);
        assertThat(BenchMain.Options.parse(new String[]{}).sparkRows()).containsExactly(1_000_000L, 10_000_000L);
    }

    @Test
    void onlyRunsTheNamedBenchmarks() {
        BenchMain.Options options = BenchMain.Options.parse(new String[]{"--quick", "--only", "spark,dispatch"});

        assertThat(options.all()).isFalse();
        assertThat(options.runs("spark")).isTrue();
        assertThat(options.runs("dispatch")).isTrue();
        assertThat(List.of("cold-start", "submission", "burst")).noneMatch(options::runs);
    }

    @Test
    void sparkRowsReplaceTheModesSizesAndKeepTheRunOutOfTheHistory() {
        BenchMain.Options options = BenchMain.Options.parse(new String[]{"--quick", "--only", "spark", "--spark-rows", "100_000,2000000"});

        assertThat(options.sparkRows()).containsExactly(100_000L, 2_000_000L);
        assertThat(BenchMain.Options.parse(new String[]{"--spark-rows", "5000"}).all()).isFalse();
    }

    @Test
    void tracingAndOwnSubmissionRatesKeepTheRunOutOfTheHistory() {
        BenchMain.Options options = BenchMain.Options.parse(new String[]{"--quick", "--only", "submission", "--tracing",
                "--submission-rates", "100, 500"});
        assertThat(options.tracing()).isTrue();
        assertThat(options.rates()).containsExactly(100.0, 500.0);
        assertThat(BenchMain.Options.parse(new String[]{"--tracing"}).all()).isFalse();
        assertThat(BenchMain.Options.parse(new String[]{"--submission-rates", "500"}).all()).isFalse();
        assertThat(BenchMain.Options.parse(new String[]{}).tracing()).isFalse();
    }

    @Test
    void anUnknownBenchmarkNameIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> BenchMain.Options.parse(new String[]{"--only", "sparks"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sparks").hasMessageContaining("cold-start,submission,dispatch,burst,spark");
        assertThatThrownBy(() -> BenchMain.Options.parse(new String[]{"--only"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
