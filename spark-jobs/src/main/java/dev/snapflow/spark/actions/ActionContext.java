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
