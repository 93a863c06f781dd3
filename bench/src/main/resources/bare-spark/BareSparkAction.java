import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.spark.S3Settings;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.expr;

/**
 * The bare-Spark baseline of bench's SparkActionsBenchmark#overhead: one action's computation on the orders example
 * written as plain Spark SQL in a minimal {@code SparkSession} JVM (no manifests, no status reports, no event log,
 * Spark's default tuning), reading the same s3a objects and writing Parquet to an s3a prefix. Not compiled by Maven
 * (bench's class path has no Spark): the benchmark compiles it against the job jar and {@code spark-classpath.txt}
 * and runs it in a child JVM with that class path. Its s3a settings are the job's ({@code S3Settings}, from the same
 * environment variables, never the command line).
 *
 * <p>Usage: {@code BareSparkAction ACTION OUTPUT_S3A PARAMS_FILE TARGET_FILES INPUT_S3A...} (TARGET_FILES: compact's
 * file count, else ignored).
 */
public final class BareSparkAction {
    private BareSparkAction() {
    }

    public static void main(String[] args) throws Exception {
        String action = args[0];
        String output = args[1];
        JsonNode params = new ObjectMapper().readTree(Files.readString(Path.of(args[2])));
        int targetFiles = Integer.parseInt(args[3]);
        String[] inputs = java.util.Arrays.copyOfRange(args, 4, args.length);
        SparkConf conf = new SparkConf().setIfMissing("spark.master", "local[*]").setAppName("bare-" + action)
                .set("spark.ui.enabled", "false")
                // What the output's content depends on, as in the job: UTC, interoperable Parquet timestamps.
                .set("spark.sql.session.timeZone", "UTC")
                .set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
                // The same storage work as the job's writes: one move per task file, no _SUCCESS marker.
                .set("spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version", "2")
                .set("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
        S3Settings.fromEnvironment(System.getenv()).hadoopOptions().forEach((key, value) -> conf.set("spark.hadoop." + key, value));
        long start = System.nanoTime();
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            switch (action) {
                case "ingest" -> spark.read().option("header", "true").option("escape", "\"").csv(inputs)
                        .selectExpr("*", "regexp_replace(_metadata.file_path, '^s3a://[^/]+/', '') AS _source_file",
                                "current_timestamp() AS _ingested_at", "'bare' AS _process_id")
                        .write().parquet(output);
                case "clean" -> clean(spark, params, inputs, output);
                case "aggregate" -> {
                    spark.read().parquet(inputs).createOrReplaceTempView("silver");
                    spark.sql(aggregateSql(params)).write().parquet(output);
                }
                case "compact" -> {
                    Dataset<Row> rows = spark.read().parquet(inputs);
                    (rows.rdd().getNumPartitions() >= targetFiles ? rows.coalesce(targetFiles) : rows.repartition(targetFiles))
                            .write().parquet(output);
                }
                default -> throw new IllegalArgumentException("no action " + action);
            }
        } finally {
            spark.stop();
        }
        System.err.printf("bare %s: session start to written %d ms%n", action, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Clean as SQL: each declared column trimmed, empty as null, case-normalised, cast with try_cast /
     * try_to_timestamp, a reject reason per row; rejected rows with their bronze values to {@code output}-quarantine,
     * accepted rows deduplicated by key (latest by orderBy, a row hash breaking ties) to {@code output}, the quality
     * rules observed during that write (a unique rule on the dedup key cannot fail and is not computed).
     */
    static void clean(SparkSession spark, JsonNode params, String[] inputs, String output) {
        spark.read().parquet(inputs).createOrReplaceTempView("bronze");
        List<String> lower = names(params.path("lowercase"));
        List<String> upper = names(params.path("uppercase"));
        List<String> typed = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        List<String> declared = new ArrayList<>();
        for (JsonNode column : params.get("schema")) {
            String name = column.get("name").asText();
            String type = column.get("type").asText();
            String value = "nullif(trim(`" + name + "`), '')";
            value = lower.contains(name) ? "lower(" + value + ")" : upper.contains(name) ? "upper(" + value + ")" : value;
            String cast = type.equals("string") ? value
                    : column.has("format") ? "try_to_" + type + "(" + value + ", '" + column.get("format").asText() + "')"
                    : "try_cast(" + value + " AS " + type + ")";
            typed.add(cast + " AS `__typed_" + name + "`");
            String reason = "WHEN " + value + " IS NOT NULL AND " + cast + " IS NULL THEN concat('" + name
                    + ": cannot read ''', " + value + ", ''' as " + type + "')";
            if (!column.path("nullable").asBoolean(true)) {
                reason += " WHEN " + value + " IS NULL THEN '" + name + ": missing value'";
            }
            reasons.add("CASE " + reason + " END");
            declared.add(name);
        }
        spark.sql("SELECT *, " + String.join(", ", typed) + ", concat_ws('; ', " + String.join(", ", reasons)
                + ") AS _reject_reason FROM bronze").createOrReplaceTempView("checked");
        String bronzeColumns = java.util.Arrays.stream(spark.table("bronze").columns()).map(c -> "`" + c + "`")
                .collect(Collectors.joining(", "));
        spark.sql("SELECT " + bronzeColumns + ", _reject_reason FROM checked WHERE _reject_reason <> ''")
                .write().parquet(output + "-quarantine");
        String silverColumns = declared.stream().map(n -> "`__typed_" + n + "` AS `" + n + "`").collect(Collectors.joining(", "));
        String names = declared.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
        JsonNode dedup = params.get("dedup");
        Dataset<Row> silver = spark.sql("SELECT " + names + " FROM (SELECT *, row_number() OVER (PARTITION BY "
                + names(dedup.get("key")).stream().map(k -> "`" + k + "`").collect(Collectors.joining(", "))
                + " ORDER BY `" + dedup.get("orderBy").asText() + "` DESC NULLS LAST, xxhash64(" + names + ")) AS __rank"
                + " FROM (SELECT " + silverColumns + " FROM checked WHERE _reject_reason = '')) WHERE __rank = 1");
        List<Column> rules = new ArrayList<>();
        for (JsonNode rule : params.path("rules")) {
            String column = "`" + rule.get("column").asText() + "`";
            String failed = switch (rule.get("rule").asText()) {
                case "unique" -> null;
                case "not_null" -> column + " IS NULL";
                case "between" -> column + " < " + rule.get("min") + " OR " + column + " > " + rule.get("max");
                case "in_set" -> "NOT " + column + " IN (" + names(rule.get("values")).stream().map(v -> "'" + v + "'")
                        .collect(Collectors.joining(", ")) + ")";
                case "regex" -> "NOT " + column + " RLIKE '" + rule.get("pattern").asText().replace("\\", "\\\\") + "'";
                default -> throw new IllegalArgumentException("no rule " + rule.get("rule"));
            };
            if (failed != null) {
                rules.add(expr("count_if(" + failed + ")").as("r" + rules.size()));
            }
        }
        Observation observation = new Observation("quality");
        silver.observe(observation, rules.get(0), rules.subList(1, rules.size()).toArray(Column[]::new))
                .write().parquet(output);
        try {
            System.err.println("bare clean rules: " + observation.getAsJava());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String aggregateSql(JsonNode params) {
        List<String> select = new ArrayList<>();
        List<String> groupBy = new ArrayList<>();
        params.path("groupBy").forEach(g -> {
            select.add("`" + g.asText() + "`");
            groupBy.add("`" + g.asText() + "`");
        });
        JsonNode bucket = params.path("timeBucket");
        if (!bucket.isMissingNode()) {
            String truncated = "date_trunc('" + bucket.get("unit").asText() + "', `" + bucket.get("column").asText() + "`)";
            select.add(truncated + " AS `" + bucket.get("as").asText() + "`");
            groupBy.add(truncated);
        }
        for (JsonNode a : params.get("aggregations")) {
            String column = a.has("column") ? "`" + a.get("column").asText() + "`" : "1";
            String call = switch (a.get("function").asText()) {
                case "count_distinct" -> "count(DISTINCT " + column + ")";
                case "approx_percentile" -> "percentile_approx(" + column + ", " + a.get("percentile").asDouble() + ", "
                        + a.path("accuracy").asInt(10_000) + ")";
                default -> a.get("function").asText() + "(" + column + ")";
            };
            select.add(call + " AS `" + a.get("as").asText() + "`");
        }
        return "SELECT " + String.join(", ", select) + " FROM silver"
                + (groupBy.isEmpty() ? "" : " GROUP BY " + String.join(", ", groupBy));
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }
}
