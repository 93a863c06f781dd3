package dev.snapflow.spark.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.spark.JobFailure;
import dev.snapflow.spark.WrittenOutput;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;

/** raw (csv with header, jsonl, parquet) → bronze Parquet with ingestion columns. */
public final class IngestAction implements JobAction {
    public static final String SOURCE_FILE = "_source_file";
    public static final String INGESTED_AT = "_ingested_at";
    public static final String PROCESS_ID = "_process_id";
    public static final List<String> METADATA_COLUMNS = List.of(SOURCE_FILE, INGESTED_AT, PROCESS_ID);

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public Set<Tier> inputTiers() {
        return Set.of(Tier.RAW);
    }

    @Override
    public Tier outputTier(Tier inputTier) {
        return Tier.BRONZE;
    }

    @Override
    public void checkAgainstInput(JsonNode params, Manifest input) {
        if (!Set.of("csv", "jsonl", "parquet").contains(input.format())) {
            throw new JobFailure(ErrorClass.INVALID_DATA, "ingest reads csv, jsonl or parquet; the input manifest says '"
                    + input.format() + "'");
        }
        if (input.files().isEmpty()) {
            throw new JobFailure(ErrorClass.INVALID_DATA, "the input snapshot lists no files");
        }
    }

    @Override
    public ActionResult run(ActionContext context) {
        JsonNode params = context.params();
        StructType declared = declaredSchema(params.path("schema"));
        boolean failOnMalformed = "fail".equals(params.path("onMalformed").asText("null"));
        String format = context.input().format();
        DataFrameReader reader = ActionContext.exactPathReader(context.spark());
        Dataset<Row> data;
        switch (format) {
            case "csv" -> {
                JsonNode csv = params.path("csv");
                reader = reader.format("csv")
                        .option("header", "true")
                        .option("sep", csv.path("delimiter").asText(","))
                        .option("quote", csv.path("quote").asText("\""))
                        .option("escape", csv.path("escape").asText("\""))
                        .option("encoding", csv.path("encoding").asText("UTF-8"))
                        .option("mode", failOnMalformed ? "FAILFAST" : "PERMISSIVE");
                StructType schema = declared != null ? declared : csvHeader(context, reader, csv.path("encoding").asText("UTF-8"));
                data = (schema == null ? reader : reader.schema(schema)).load(context.inputPaths());
            }
            case "jsonl" -> {
                reader = reader.format("json").option("mode", failOnMalformed ? "FAILFAST" : "PERMISSIVE");
                data = (declared == null ? reader : reader.schema(declared)).load(context.inputPaths());
            }
            default -> {
                data = reader.format("parquet").load(context.inputPaths());
                if (declared != null) {
                    data = data.select(Arrays.stream(declared.fields())
                            .map(f -> failOnMalformed ? col(f.name()).cast(f.dataType()).as(f.name())
                                    : col(f.name()).try_cast(f.dataType()).as(f.name()))
                            .toArray(Column[]::new));
                }
            }
        }
        for (String column : data.columns()) {
            if (METADATA_COLUMNS.contains(column)) {
                throw new JobFailure(ErrorClass.INVALID_DATA, "the input has a column named " + column
                        + ", which ingest adds itself");
            }
        }
        List<Column> columns = new ArrayList<>();
        for (String column : data.columns()) {
            columns.add(col("`" + column + "`"));
        }
        columns.add(regexp_replace(col("_metadata.file_path"), "^s3a://[^/]+/", "").as(SOURCE_FILE));
        columns.add(lit(Timestamp.from(context.startedAt())).as(INGESTED_AT));
        columns.add(lit(context.args().processId()).as(PROCESS_ID));
        Dataset<Row> bronze = data.select(columns.toArray(Column[]::new));

        WrittenOutput written = context.writer().write(bronze, context.output());
        Long knownRowsIn = context.input().rowCount();
        return new ActionResult(written, null, knownRowsIn != null ? knownRowsIn : written.rows(), List.of(), Map.of());
    }

    /** Bytes read at most for the header line; a longer line leaves the header to Spark's own inference. */
    private static final int HEADER_READ_LIMIT = 1 << 20;

    /**
     * The CSV's columns (all strings, named as Spark's header inference names them) without the Spark job that
     * inference runs (a text scan of the input for its first line: a job, its planning and code generation, seconds
     * of a small input's run): the first non-blank line of the first file, read here, parsed by Spark's CSV reader
     * with the same options over a one-line local Dataset. As Hadoop's line reader does for Spark, a UTF-8 byte order
     * mark and the {@code \r} of {@code \r\n} are dropped. Null (Spark infers) when that line cannot be read this way,
     * e.g. in an encoding where a byte 10 need not be a line break (UTF-16).
     */
    private static StructType csvHeader(ActionContext context, DataFrameReader reader, String encoding) {
        java.nio.charset.Charset charset;
        try {
            charset = java.nio.charset.Charset.forName(encoding);
        } catch (RuntimeException e) {
            return null;
        }
        if (!charset.equals(java.nio.charset.StandardCharsets.UTF_8) && charset.newEncoder().maxBytesPerChar() != 1) {
            return null;
        }
        String first = context.inputPaths()[0];
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(first);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        try (java.io.InputStream in = new java.io.BufferedInputStream(
                path.getFileSystem(context.spark().sparkContext().hadoopConfiguration()).open(path), 64 * 1024)) {
            for (int b = in.read(); b >= 0 && line.size() <= HEADER_READ_LIMIT; b = in.read()) {
                if (b != '\n') {
                    line.write(b);
                } else if (!line.toString(charset).isBlank()) {
                    break;
                } else {
                    line.reset();
                }
            }
            String header = line.toString(charset);
            if (line.size() > HEADER_READ_LIMIT || header.isBlank()) {
                return null;
            }
            header = header.startsWith("\uFEFF") ? header.substring(1) : header;
            header = header.endsWith("\r") ? header.substring(0, header.length() - 1) : header;
            Dataset<String> lines = context.spark().createDataset(List.of(header), org.apache.spark.sql.Encoders.STRING());
            return reader.csv(lines).schema();
        } catch (java.io.IOException | RuntimeException e) {
            return null; // Spark's inference reads the input itself and reports what is wrong with it
        }
    }

    private static StructType declaredSchema(JsonNode schema) {
        if (schema.isMissingNode() || schema.isNull()) {
            return null;
        }
        List<StructField> fields = new ArrayList<>();
        schema.forEach(c -> fields.add(DataTypes.createStructField(c.get("name").asText(),
                SparkTypes.parse(c.get("type").asText()), true)));
        return DataTypes.createStructType(fields);
    }
}
