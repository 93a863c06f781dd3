package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * clean with the demo's orders params, against the same cleaning written independently in DuckDB SQL over
 * the same bronze files: same silver rows, same rejected rows, same quality counts.
 */
@ExtendWith(LocalStackExtension.class)
class CleanJobTest {
    private static PipelineFixture pipeline;

    /** The clean.orders.json example, as DuckDB SQL: normalise, cast, reject, keep the latest per order. */
    private static final String NORMALISED = """
            SELECT *,
              NULLIF(trim(order_id), '') AS n_order_id,
              NULLIF(trim(customer_id), '') AS n_customer_id,
              lower(NULLIF(trim(customer_email), '')) AS n_customer_email,
              upper(NULLIF(trim(country), '')) AS n_country,
              lower(NULLIF(trim(status), '')) AS n_status,
              NULLIF(trim(product_sku), '') AS n_product_sku,
              NULLIF(trim(category), '') AS n_category,
              NULLIF(trim(quantity), '') AS n_quantity,
              NULLIF(trim(unit_price), '') AS n_unit_price,
              NULLIF(trim(total_amount), '') AS n_total_amount,
              upper(NULLIF(trim(currency), '')) AS n_currency,
              NULLIF(trim(payment_method), '') AS n_payment_method,
              NULLIF(trim(order_ts), '') AS n_order_ts,
              NULLIF(trim(updated_at), '') AS n_updated_at,
              NULLIF(trim(note), '') AS n_note
            FROM bronze""";
    private static final String TYPED = """
            SELECT *,
              TRY_CAST(n_quantity AS INTEGER) AS t_quantity,
              TRY_CAST(n_unit_price AS DECIMAL(12,2)) AS t_unit_price,
              TRY_CAST(n_total_amount AS DECIMAL(14,2)) AS t_total_amount,
              try_strptime(n_order_ts, '%Y-%m-%d %H:%M:%S') AS t_order_ts,
              try_strptime(n_updated_at, '%Y-%m-%d %H:%M:%S') AS t_updated_at
            FROM normalised""";
    private static final String REJECTED_WHERE = """
            n_order_id IS NULL OR n_status IS NULL
              OR t_quantity IS NULL OR t_unit_price IS NULL OR t_total_amount IS NULL
              OR t_order_ts IS NULL OR t_updated_at IS NULL""";
    private static final String SILVER_COLUMNS = """
            order_id, customer_id, customer_email, country, status, product_sku, category, quantity, unit_price,
            total_amount, currency, payment_method, epoch_us(order_ts) AS order_ts, epoch_us(updated_at) AS updated_at, note""";

    @BeforeAll
    static void setUp(LocalStack stack) {
        pipeline = PipelineFixture.shared(JobHarness.shared(S3Target.of(stack.s3())));
    }

    @Test
    void silverAndQuarantineMatchTheSameCleaningInDuckDb(@TempDir Path dir) throws Exception {
        JobHarness.JobRun run = pipeline.clean();
        Manifest silver = run.output();
        Manifest bronze = pipeline.ingest().output();
        Manifest quarantine = pipeline.harness.manifest(new S3Uri(pipeline.harness.target.bucket(), silver.rejected().manifestKey()));
        List<Path> bronzeFiles = pipeline.harness.download(bronze, dir.resolve("bronze"));
        List<Path> silverFiles = pipeline.harness.download(silver, dir.resolve("silver"));
        List<Path> quarantineFiles = pipeline.harness.download(quarantine, dir.resolve("quarantine"));

        try (DuckDb duck = new DuckDb()) {
            duck.execute("CREATE TABLE bronze AS SELECT * FROM read_parquet(" + DuckDb.files(bronzeFiles) + ")");
            duck.execute("CREATE TABLE normalised AS " + NORMALISED);
            duck.execute("CREATE TABLE typed AS " + TYPED);
            duck.execute("CREATE TABLE expected_rejected AS SELECT * FROM typed WHERE " + REJECTED_WHERE);
            duck.execute("""
                    CREATE TABLE expected_silver AS
                    SELECT n_order_id AS order_id, n_customer_id AS customer_id, n_customer_email AS customer_email,
                           n_country AS country, n_status AS status, n_product_sku AS product_sku, n_category AS category,
                           t_quantity AS quantity, t_unit_price AS unit_price, t_total_amount AS total_amount,
                           n_currency AS currency, n_payment_method AS payment_method, t_order_ts AS order_ts,
                           t_updated_at AS updated_at, n_note AS note
                    FROM typed WHERE NOT (""" + REJECTED_WHERE + """
                    )
                    QUALIFY row_number() OVER (PARTITION BY n_order_id ORDER BY t_updated_at DESC NULLS LAST) = 1""");
            duck.execute("CREATE TABLE silver AS SELECT * FROM read_parquet(" + DuckDb.files(silverFiles) + ")");
            duck.execute("CREATE TABLE quarantine AS SELECT * FROM read_parquet(" + DuckDb.files(quarantineFiles) + ")");

            long expectedSilverRows = duck.count("SELECT count(*) FROM expected_silver");
            long expectedRejected = duck.count("SELECT count(*) FROM expected_rejected");
            assertThat(expectedRejected).as("the generated data has rows to reject").isPositive();
            assertThat(duck.count("SELECT count(*) FROM silver")).isEqualTo(expectedSilverRows);
            assertThat(duck.missingFrom("SELECT " + SILVER_COLUMNS + " FROM expected_silver", "SELECT " + SILVER_COLUMNS + " FROM silver"))
                    .as("expected silver rows missing from the job's silver").isZero();
            assertThat(duck.missingFrom("SELECT " + SILVER_COLUMNS + " FROM silver", "SELECT " + SILVER_COLUMNS + " FROM expected_silver"))
                    .as("silver rows DuckDB did not expect").isZero();

            String bronzeColumns = "order_id, customer_id, customer_email, country, status, product_sku, category, quantity, "
                    + "unit_price, total_amount, currency, payment_method, order_ts, updated_at, note, _source_file";
            assertThat(duck.count("SELECT count(*) FROM quarantine")).isEqualTo(expectedRejected);
            assertThat(duck.missingFrom("SELECT " + bronzeColumns + " FROM expected_rejected", "SELECT " + bronzeColumns + " FROM quarantine"))
                    .isZero();
            assertThat(duck.count("SELECT count(*) FROM quarantine WHERE _reject_reason IS NULL OR _reject_reason = ''")).isZero();
            assertThat(duck.count("SELECT count(*) FROM quarantine WHERE _reject_reason LIKE '%order_ts: cannot read%'"))
                    .isEqualTo(duck.count("SELECT count(*) FROM expected_rejected WHERE n_order_ts IS NOT NULL AND t_order_ts IS NULL"));

            assertThat(silver.rowCount()).isEqualTo(expectedSilverRows);
            assertThat(silver.rejected().rowCount()).isEqualTo(expectedRejected);
            assertThat(quarantine.tier()).isEqualTo(Tier.QUARANTINE.pathSegment());
            assertThat(quarantine.outputId()).isEqualTo(silver.outputId());
            Map<String, Number> metrics = run.last().metrics();
            assertThat(metrics.get("rowsIn").longValue()).isEqualTo(bronze.rowCount());
            assertThat(metrics.get("rowsOut").longValue()).isEqualTo(expectedSilverRows);
            assertThat(metrics.get("rowsRejected").longValue()).isEqualTo(expectedRejected);
            assertThat(metrics.get("rowsDeduplicated").longValue()).isEqualTo(bronze.rowCount() - expectedRejected - expectedSilverRows);

            assertThat(silver.quality()).containsExactly(
                    quality(duck, "unique", "order_id", "error", "count(order_id) - count(DISTINCT order_id)"),
                    quality(duck, "not_null", "customer_id", "warn", "count(*) FILTER (WHERE customer_id IS NULL)"),
                    quality(duck, "between", "quantity", "error", "count(*) FILTER (WHERE quantity < 1 OR quantity > 100)"),
                    quality(duck, "in_set", "status", "error",
                            "count(*) FILTER (WHERE status NOT IN ('pending','paid','shipped','delivered','cancelled','returned'))"),
                    quality(duck, "in_set", "currency", "warn", "count(*) FILTER (WHERE currency NOT IN ('EUR','USD','GBP'))"),
                    quality(duck, "regex", "customer_email", "warn",
                            "count(*) FILTER (WHERE NOT regexp_matches(customer_email, '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$'))"));
        }
        assertThat(silver.schema()).extracting(Manifest.Column::name, Manifest.Column::type).contains(
                org.assertj.core.groups.Tuple.tuple("quantity", "int"),
                org.assertj.core.groups.Tuple.tuple("unit_price", "decimal(12,2)"),
                org.assertj.core.groups.Tuple.tuple("order_ts", "timestamp"));
    }

    private static Manifest.QualityResult quality(DuckDb duck, String rule, String column, String severity, String failedSql)
            throws Exception {
        long rows = duck.count("SELECT count(*) FROM silver");
        long failed = duck.count("SELECT " + failedSql + " FROM silver");
        return new Manifest.QualityResult(rule, column, severity, rows - failed, failed);
    }

    @Test
    void anErrorRuleOverItsThresholdFailsTheStepWithInvalidDataAndCommitsNothing() {
        String params = PipelineFixture.exampleParams("clean").replace(
                "{\"rule\": \"not_null\", \"column\": \"customer_id\", \"severity\": \"warn\"}",
                "{\"rule\": \"in_set\", \"column\": \"country\", \"values\": [\"DE\"], \"severity\": \"error\", \"maxFailedFraction\": 0.5}");
        assertThat(params).contains("\"values\": [\"DE\"]");
        JobHarness.JobRun run = pipeline.harness.run(pipeline.harness.arguments(pipeline.ref, "clean", params,
                PipelineFixture.outputOf(pipeline.ingest()), Tier.SILVER));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.last().state()).isEqualTo(JobState.FAILED);
        assertThat(run.last().error().errorClass()).isEqualTo(ErrorClass.INVALID_DATA);
        assertThat(run.last().error().retryable()).isFalse();
        assertThat(run.last().error().message()).contains("in_set(country)");
        assertThat(pipeline.harness.exists(run.outputManifestUri())).isFalse();
        String quarantinePrefix = run.outputManifestUri().key().replace("/silver/", "/quarantine/");
        assertThat(pipeline.harness.exists(new S3Uri(run.outputManifestUri().bucket(), quarantinePrefix))).isFalse();
    }
}
