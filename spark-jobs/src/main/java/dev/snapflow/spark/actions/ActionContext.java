package dev.snapflow.spark.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.spark.OutputLocation;
import dev.snapflow.spark.OutputWriter;
import dev.snapflow.spark.SparkPaths;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.Instant;
import java.util.List;

/**
 * What an action gets to do its work: the session, its validated params, the committed input manifest (the
 * exact files to read) and where its output goes.
 */
public record ActionContext(SparkSession spark, JobArguments args, JsonNode params, Manifest input,
                            String inputBucket, OutputLocation output, OutputWriter writer, Instant startedAt) {

    /**
     * Spark's own (internal, but stable since Spark 3.1) data source option that turns off glob expansion of the
     * paths given to {@code load}: a path is then read as exactly that object, even if it has a '*' or '{'.
     * {@code ManifestFiles} already refuses such keys before anything is read; this keeps a path literal anyway.
     */
    public static final String GLOB_PATHS_OPTION = "__globPaths__";

    /** A reader for exact paths: no glob expansion ({@link #GLOB_PATHS_OPTION}). Every read of data files starts here. */
    public static DataFrameReader exactPathReader(SparkSession spark) {
        return spark.read().option(GLOB_PATHS_OPTION, "false");
    }

    static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";
    /** Input (compressed Parquet) per shuffle partition: its shuffled rows are a few times larger. */
    static final long INPUT_BYTES_PER_SHUFFLE_PARTITION = 16L * 1024 * 1024;

    /**
     * Sizes this job's shuffles to its task slots and its input, unless the Spark conf sets
     * {@code spark.sql.shuffle.partitions}: Spark's default of 200 gave a 1M-row step on two cores 200 tiny shuffle
     * tasks (and 200 shuffle files per map task); adaptive execution only merges partitions after the shuffle was
     * written. At least two partitions per task slot, more for a large input; AQE still merges what turns out small.
     */
    public void sizeShuffles() {
        if (spark.sparkContext().getConf().contains(SHUFFLE_PARTITIONS)) {
            return;
        }
        spark.conf().set(SHUFFLE_PARTITIONS, shufflePartitions(spark.sparkContext().defaultParallelism(), input.bytes()));
    }

    /** Shuffle partitions for {@code taskSlots} and an input of {@code inputBytes}. */
    public static int shufflePartitions(int taskSlots, long inputBytes) {
        long bySize = (inputBytes + INPUT_BYTES_PER_SHUFFLE_PARTITION - 1) / INPUT_BYTES_PER_SHUFFLE_PARTITION;
        return (int) Math.max(2L * Math.max(1, taskSlots), Math.min(2_000, bySize));
    }

    /** The input's data files as s3a paths: exactly the manifest's list, never a directory listing. */
    public String[] inputPaths() {
        List<String> paths = input.files().stream().map(f -> SparkPaths.s3a(inputBucket, f.key())).toList();
        return paths.toArray(String[]::new);
    }

    /**
     * The input's Parquet files, read with the schema its manifest records when it records one Spark can parse (the
     * job's own outputs record Spark's type names): Spark's schema inference reads a footer in a Spark job of its own,
     * even for one file, which is seconds of a small step. Otherwise (an external snapshot) Spark infers it.
     */
    public Dataset<Row> readParquet() {
        return readParquet(spark, input.schema(), inputPaths());
    }

    /** Parquet files with a schema a manifest (or a {@code WrittenOutput}) records, as {@link #readParquet()}. */
    public static Dataset<Row> readParquet(SparkSession spark, List<Manifest.Column> schema, String... paths) {
        DataFrameReader reader = exactPathReader(spark);
        StructType recorded = sparkSchema(schema);
        return (recorded == null ? reader : reader.schema(recorded)).parquet(paths);
    }

    private static StructType sparkSchema(List<Manifest.Column> schema) {
        if (schema == null || schema.isEmpty()) {
            return null;
        }
        try {
            List<StructField> fields = schema.stream()
                    .map(c -> DataTypes.createStructField(c.name(), DataType.fromDDL(c.type()), c.nullable())).toList();
            return DataTypes.createStructType(fields);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
