package dev.snapflow.spark;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * aggregate with the demo's orders params against DuckDB over the same silver files. Exact for counts,
 * distinct counts, sums, min and max; avg within 0.5e-6 (Spark's avg of a decimal is a decimal rounded to
 * 6 places; DuckDB's is a double); approx_percentile within its documented rank error (n / accuracy) plus
 * one row for the discrete step.
 */
@ExtendWith(LocalStackExtension.class)
class AggregateJobTest {
    private static final double AVG_TOLERANCE = 0.5e-6 + 1e-12;
    private static final int ACCURACY = 10_000;
    private static PipelineFixture pipeline;

    @BeforeAll
    static void setUp(LocalStack stack) {
        pipeline = PipelineFixture.shared(JobHarness.shared(S3Target.of(stack.s3())));
    }

    @Test
    void goldMatchesTheSameAggregationInDuckDb(@TempDir Path dir) throws Exception {
        JobHarness.JobRun run = pipeline.aggregate();
        Manifest gold = run.output();
        Manifest silver = pipeline.clean().output();
        List<Path> silverFiles = pipeline.harness.download(silver, dir.resolve("silver"));
        List<Path> goldFiles = pipeline.harness.download(gold, dir.resolve("gold"));

        try (DuckDb duck = new DuckDb()) {
            duck.execute("CREATE TABLE silver AS SELECT * FROM read_parquet(" + DuckDb.files(silverFiles) + ")");
            duck.execute("CREATE TABLE gold AS SELECT * FROM read_parquet(" + DuckDb.files(goldFiles) + ")");
            duck.execute("""
                    CREATE TABLE expected AS
                    SELECT country, status, epoch_us(date_trunc('day', make_timestamp(epoch_us(order_ts)))) AS order_day,
                           count(*) AS orders, count(DISTINCT customer_id) AS customers, sum(total_amount) AS revenue,
                           avg(total_amount) AS avg_order_value, min(unit_price) AS min_unit_price,
                           max(unit_price) AS max_unit_price, count(total_amount) AS n
                    FROM silver GROUP BY ALL""");
            long groups = duck.count("SELECT count(*) FROM expected");
            assertThat(groups).as("the sample has many groups").isGreaterThan(50);
            assertThat(duck.count("SELECT count(*) FROM gold")).isEqualTo(groups);

            List<Map<String, Object>> pairs = duck.rows("""
                    SELECT e.*, g.orders AS g_orders, g.customers AS g_customers, g.revenue AS g_revenue,
                           g.avg_order_value AS g_avg, g.min_unit_price AS g_min, g.max_unit_price AS g_max,
                           g.median_order_value AS g_median,
                           (SELECT count(*) FROM silver s WHERE s.country IS NOT DISTINCT FROM e.country
                              AND s.status IS NOT DISTINCT FROM e.status
                              AND epoch_us(date_trunc('day', make_timestamp(epoch_us(s.order_ts)))) = e.order_day
                              AND s.total_amount < g.median_order_value) AS below_median,
                           (SELECT count(*) FROM silver s WHERE s.country IS NOT DISTINCT FROM e.country
                              AND s.status IS NOT DISTINCT FROM e.status
                              AND epoch_us(date_trunc('day', make_timestamp(epoch_us(s.order_ts)))) = e.order_day
                              AND s.total_amount <= g.median_order_value) AS up_to_median
                    FROM expected e LEFT JOIN gold g
                      ON g.country IS NOT DISTINCT FROM e.country AND g.status IS NOT DISTINCT FROM e.status
                     AND epoch_us(g.order_day) = e.order_day""");
            assertThat(pairs).hasSize((int) groups);
            for (Map<String, Object> row : pairs) {
                String group = row.get("country") + "/" + row.get("status") + "/" + row.get("order_day");
                assertThat(row.get("g_orders")).as("gold row for " + group).isNotNull();
                assertThat(((Number) row.get("g_orders")).longValue()).as(group).isEqualTo(((Number) row.get("orders")).longValue());
                assertThat(((Number) row.get("g_customers")).longValue()).as(group).isEqualTo(((Number) row.get("customers")).longValue());
                assertThat((BigDecimal) row.get("g_revenue")).as(group).isEqualByComparingTo((BigDecimal) row.get("revenue"));
                assertThat((BigDecimal) row.get("g_min")).as(group).isEqualByComparingTo((BigDecimal) row.get("min_unit_price"));
                assertThat((BigDecimal) row.get("g_max")).as(group).isEqualByComparingTo((BigDecimal) row.get("max_unit_price"));
                double expectedAvg = ((Number) row.get("avg_order_value")).doubleValue();
                assertThat(((Number) row.get("g_avg")).doubleValue()).as(group)
                        .isCloseTo(expectedAvg, within(AVG_TOLERANCE));
                long n = ((Number) row.get("n")).longValue();
                double allowedRankError = (double) n / ACCURACY + 1;
                double targetRank = 0.5 * n;
                assertThat(((Number) row.get("below_median")).doubleValue()).as("rows below the median of " + group)
                        .isLessThanOrEqualTo(targetRank + allowedRankError);
                assertThat(((Number) row.get("up_to_median")).doubleValue()).as("rows up to the median of " + group)
                        .isGreaterThanOrEqualTo(targetRank - allowedRankError);
            }
        }
        assertThat(gold.inputs()).containsExactly(PipelineFixture.outputOf(pipeline.clean()).key());
        assertThat(run.last().metrics().get("rowsIn").longValue()).isEqualTo(silver.rowCount());
        assertThat(run.last().metrics().get("rowsOut").longValue()).isEqualTo(gold.rowCount());
    }
}
