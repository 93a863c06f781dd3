package dev.snapflow.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChartsTest {
    @Test
    void sparkVsDuckDbIsDrawnAsAPngEvenWithAMissingSide(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        SparkActionsBenchmark.SparkRun spark = new SparkActionsBenchmark.SparkRun("aggregate", 1_000_000, 300, 50_000,
                55_000, 5_000, false, "s3://b/m.json");
        List<SparkActionsBenchmark.Comparison> comparisons = List.of(
                new SparkActionsBenchmark.Comparison(1_000_000, "aggregate", spark,
                        new SparkActionsBenchmark.DuckRun("aggregate", 1_000_000, 300, 2_000)),
                new SparkActionsBenchmark.Comparison(10_000_000, "aggregate", spark, null));
        Path png = dir.resolve("spark-vs-duckdb.png");

        Charts.sparkVsDuckDb(comparisons, png);

        assertThat(png).exists();
        assertThat(Files.readAllBytes(png)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
}
