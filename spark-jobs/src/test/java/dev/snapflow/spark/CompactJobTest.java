package dev.snapflow.spark;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.spark.actions.CompactAction;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LocalStackExtension.class)
class CompactJobTest {
    private static PipelineFixture pipeline;

    @BeforeAll
    static void setUp(LocalStack stack) {
        pipeline = PipelineFixture.shared(JobHarness.shared(S3Target.of(stack.s3())));
    }

    @Test
    void compactionRewritesTheSameRowsIntoFilesOfTheTargetSize(@TempDir Path dir) throws Exception {
        Manifest bronze = pipeline.ingest().output();
        long target = Math.max(1024, bronze.bytes() / 2 + 1);
        JobHarness.JobRun run = pipeline.harness.run(pipeline.harness.arguments(pipeline.ref, "compact",
                "{\"targetFileBytes\": " + target + "}", PipelineFixture.outputOf(pipeline.ingest()), Tier.BRONZE));
        assertThat(run.exitCode()).isZero();
        Manifest compacted = run.output();

        assertThat(bronze.files()).hasSizeGreaterThan(2);
        assertThat(compacted.files()).hasSize(CompactAction.targetFiles(bronze.bytes(), target)).hasSize(2);
        assertThat(compacted.tier()).isEqualTo("bronze");
        assertThat(compacted.rowCount()).isEqualTo(bronze.rowCount());
        assertThat(compacted.schema()).extracting(Manifest.Column::name, Manifest.Column::type)
                .isEqualTo(bronze.schema().stream().map(c -> org.assertj.core.groups.Tuple.tuple(c.name(), c.type())).toList());
        List<Path> before = pipeline.harness.download(bronze, dir.resolve("before"));
        List<Path> after = pipeline.harness.download(compacted, dir.resolve("after"));
        try (DuckDb duck = new DuckDb()) {
            String beforeRows = "SELECT * FROM read_parquet(" + DuckDb.files(before) + ")";
            String afterRows = "SELECT * FROM read_parquet(" + DuckDb.files(after) + ")";
            assertThat(duck.missingFrom(beforeRows, afterRows)).isZero();
            assertThat(duck.missingFrom(afterRows, beforeRows)).isZero();
        }
        assertThat(run.last().metrics().get("filesOut").intValue()).isEqualTo(2);
    }
}
