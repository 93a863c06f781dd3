package dev.snapflow.spark.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.spark.JobFailure;
import dev.snapflow.spark.WrittenOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a committed output's files into ceil(bytes / targetFileBytes) files (same rows, new files), committed as
 * a new output of the same tier. When the scan has at least that many partitions (Spark packs the input files into
 * read partitions of up to {@code spark.sql.files.maxPartitionBytes}), adjacent partitions are merged without a
 * shuffle ({@code coalesce}); otherwise, to get more files than the scan has partitions, a round-robin repartition.
 */
public final class CompactAction implements JobAction {
    public static final long DEFAULT_TARGET_FILE_BYTES = 128L * 1024 * 1024;

    @Override
    public String name() {
        return "compact";
    }

    @Override
    public Set<Tier> inputTiers() {
        return Set.of(Tier.BRONZE, Tier.SILVER, Tier.GOLD, Tier.QUARANTINE);
    }

    @Override
    public Tier outputTier(Tier inputTier) {
        return inputTier;
    }

    @Override
    public void checkAgainstInput(JsonNode params, Manifest input) {
        if (!"parquet".equals(input.format())) {
            throw new JobFailure(ErrorClass.INVALID_DATA, "compact rewrites Parquet outputs; the input is " + input.format());
        }
    }

    /** How many files the compacted output has. */
    public static int targetFiles(long inputBytes, long targetFileBytes) {
        return (int) Math.max(1, Math.min(100_000, (inputBytes + targetFileBytes - 1) / targetFileBytes));
    }

    @Override
    public ActionResult run(ActionContext context) {
        long target = context.params().path("targetFileBytes").asLong(DEFAULT_TARGET_FILE_BYTES);
        int files = targetFiles(context.input().bytes(), target);
        Dataset<Row> rows = context.readParquet();
        // A round-robin repartition shuffled every row through local disk to spread them evenly; merging the scan's
        // partitions writes each row once. Measured in bench/README.md.
        Dataset<Row> placed = rows.rdd().getNumPartitions() >= files ? rows.coalesce(files) : rows.repartition(files);
        WrittenOutput written = context.writer().write(placed, context.output());
        long rowsIn = context.input().rowCount() != null ? context.input().rowCount() : written.rows();
        return new ActionResult(written, null, rowsIn, List.of(), Map.of("filesIn", context.input().files().size(),
                "filesOut", written.files().size()));
    }
}
