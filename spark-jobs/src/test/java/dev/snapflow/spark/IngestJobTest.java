package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.local.sampledata.OrdersGenerator;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LocalStackExtension.class)
class IngestJobTest {
    private static PipelineFixture pipeline;

    @BeforeAll
    static void setUp(LocalStack stack) {
        pipeline = PipelineFixture.shared(JobHarness.shared(S3Target.of(stack.s3())));
    }

    @Test
    void bronzeHoldsExactlyTheRawRowsThatDuckDbReadsFromTheSameFiles(@TempDir Path dir) throws Exception {
        JobHarness.JobRun run = pipeline.ingest();
        Manifest bronze = run.output();
        List<Path> rawFiles = pipeline.harness.download(pipeline.raw.manifest(), dir.resolve("raw"));
        List<Path> bronzeFiles = pipeline.harness.download(bronze, dir.resolve("bronze"));
        String columns = String.join(", ", OrdersGenerator.COLUMNS);

        try (DuckDb duck = new DuckDb()) {
            duck.execute("CREATE TABLE raw AS SELECT *, parse_filename(filename) AS file FROM read_csv(" + DuckDb.files(rawFiles)
                    + ", header = true, all_varchar = true, quote = '\"', escape = '\"', filename = true)");
            duck.execute("CREATE TABLE bronze AS SELECT *, parse_filename(_source_file) AS file FROM read_parquet("
                    + DuckDb.files(bronzeFiles) + ")");

            assertThat(duck.count("SELECT count(*) FROM bronze")).isEqualTo(PipelineFixture.SPEC.rows());
            assertThat(duck.missingFrom("SELECT " + columns + ", file FROM raw", "SELECT " + columns + ", file FROM bronze"))
                    .as("raw rows missing from bronze").isZero();
            assertThat(duck.missingFrom("SELECT " + columns + ", file FROM bronze", "SELECT " + columns + ", file FROM raw"))
                    .as("bronze rows not in raw").isZero();
            assertThat(duck.count("SELECT count(DISTINCT _process_id) FROM bronze WHERE _process_id = '"
                    + run.arguments().processId() + "'")).isEqualTo(1);
            assertThat(duck.count("SELECT count(*) FROM bronze WHERE _ingested_at IS NULL")).isZero();
            assertThat(duck.count("SELECT count(*) FROM bronze WHERE _source_file NOT LIKE '"
                    + pipeline.ref.tenant() + "/orders/" + pipeline.ref.dataVersion() + "/raw/orders-%.csv'")).isZero();
        }
        assertThat(bronze.rowCount()).isEqualTo(PipelineFixture.SPEC.rows());
        assertThat(bronze.files()).allSatisfy(f -> assertThat(f.key()).startsWith(run.outputManifestUri().key()
                .replace("_manifest.json", "_attempts/")));
        assertThat(bronze.files().stream().mapToLong(Manifest.DataFile::rows).sum()).isEqualTo(bronze.rowCount());
        assertThat(bronze.inputs()).containsExactly(pipeline.raw.manifestKey());
        assertThat(bronze.schema()).extracting(Manifest.Column::name).endsWith("_source_file", "_ingested_at", "_process_id");
    }

    @Test
    void reportsProgressWhileRunningThenSuccessWithMetrics() {
        JobHarness.JobRun run = pipeline.ingest();
        List<JobStatusReport> reports = run.reports();
        assertThat(reports).extracting(JobStatusReport::state).startsWith(JobState.RUNNING).endsWith(JobState.SUCCEEDED);
        assertThat(reports).extracting(JobStatusReport::sequence).isSorted().doesNotHaveDuplicates();
        assertThat(reports).allSatisfy(r -> {
            assertThat(r.jobId()).isEqualTo(run.arguments().jobId().value());
            assertThat(r.reporter()).isEqualTo(JobStatusReport.REPORTER_JOB);
        });
        JobStatusReport last = run.last();
        assertThat(last.cached()).isFalse();
        assertThat(last.outputManifest()).isEqualTo(run.outputManifestUri().toString());
        Map<String, Number> metrics = last.metrics();
        assertThat(metrics.get("rowsIn").longValue()).isEqualTo(PipelineFixture.SPEC.rows());
        assertThat(metrics.get("rowsOut").longValue()).isEqualTo(PipelineFixture.SPEC.rows());
        assertThat(metrics.get("rowsRejected").longValue()).isZero();
        assertThat(metrics.get("bytesOut").longValue()).isEqualTo(run.output().bytes());
        assertThat(metrics.get("durationMs").longValue()).isPositive();
        assertThat(pipeline.harness.callbacks.unauthorizedRequests()).isZero();
    }

    @Test
    void rowsPerSourceFileMatchTheRawManifest() {
        Manifest bronze = pipeline.ingest().output();
        Map<String, Long> rawRows = pipeline.raw.manifest().files().stream()
                .collect(Collectors.toMap(Manifest.DataFile::key, Manifest.DataFile::rows));
        assertThat(rawRows.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(bronze.rowCount());
    }
}
