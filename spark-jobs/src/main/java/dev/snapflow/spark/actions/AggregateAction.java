package dev.snapflow.spark.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.spark.JobFailure;
import dev.snapflow.spark.WrittenOutput;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.sum;

/** silver → gold: one row per group of the declared dimensions (and time bucket), with the aggregations. */
public final class AggregateAction implements JobAction {
    private static final int DEFAULT_ACCURACY = 10_000;

    @Override
    public String name() {
        return "aggregate";
    }

    @Override
    public Set<Tier> inputTiers() {
        return Set.of(Tier.SILVER);
    }

    @Override
    public Tier outputTier(Tier inputTier) {
        return Tier.GOLD;
    }

    @Override
    public void checkAgainstInput(JsonNode params, Manifest input) {
        InputColumns columns = new InputColumns(input);
        Set<String> outputNames = new HashSet<>();
        for (JsonNode g : params.path("groupBy")) {
            columns.require("groupBy", g.asText());
            unique(outputNames, g.asText());
        }
        JsonNode bucket = params.path("timeBucket");
        if (!bucket.isMissingNode()) {
            String type = columns.require("timeBucket.column", bucket.get("column").asText());
            if (columns.known() && !InputColumns.temporal(type)) {
                throw new JobFailure(ErrorClass.INVALID_PARAMS, "timeBucket.column: '" + bucket.get("column").asText()
                        + "' is " + type + ", not a timestamp or date");
            }
            unique(outputNames, bucketName(bucket));
        }
        int i = 0;
        for (JsonNode aggregation : params.get("aggregations")) {
            String where = "aggregations[" + i++ + "]";
            String function = aggregation.get("function").asText();
            if (aggregation.has("column")) {
                String type = columns.require(where + ".column", aggregation.get("column").asText());
                if (columns.known() && Set.of("sum", "avg", "approx_percentile").contains(function)
                        && !InputColumns.numeric(type)) {
                    throw new JobFailure(ErrorClass.INVALID_PARAMS, where + ": " + function + " needs a numeric column; '"
                            + aggregation.get("column").asText() + "' is " + type);
                }
            }
            unique(outputNames, aggregation.get("as").asText());
        }
    }

    private static void unique(Set<String> names, String name) {
        if (!names.add(name)) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "output column '" + name + "' would appear twice");
        }
    }

    private static String bucketName(JsonNode bucket) {
        return bucket.has("as") ? bucket.get("as").asText()
                : bucket.get("column").asText() + "_" + bucket.get("unit").asText();
    }

    @Override
    public ActionResult run(ActionContext context) {
        JsonNode params = context.params();
        context.sizeShuffles();
        Dataset<Row> silver = context.readParquet();
        List<Column> dimensions = new ArrayList<>();
        params.path("groupBy").forEach(g -> dimensions.add(col(CleanAction.quoted(g.asText()))));
        JsonNode bucket = params.path("timeBucket");
        if (!bucket.isMissingNode()) {
            dimensions.add(date_trunc(bucket.get("unit").asText(), col(CleanAction.quoted(bucket.get("column").asText())))
                    .as(bucketName(bucket)));
        }
        List<String> dimensionNames = dimensionNames(params);
        List<Column> hashable = new ArrayList<>();
        List<Column> percentiles = new ArrayList<>();
        List<Column> output = new ArrayList<>();
        dimensionNames.forEach(name -> output.add(col(CleanAction.quoted(name))));
        for (JsonNode aggregation : params.get("aggregations")) {
            String as = aggregation.get("as").asText();
            ("approx_percentile".equals(aggregation.get("function").asText()) ? percentiles : hashable)
                    .add(aggregation(aggregation).as(as));
            output.add(col(CleanAction.quoted(as)));
        }
        Dataset<Row> gold;
        if (hashable.isEmpty() || percentiles.isEmpty()) {
            gold = aggregate(silver, dimensions, hashable.isEmpty() ? percentiles : hashable);
        } else {
            // approx_percentile keeps an object digest per group, so an aggregation holding one runs as a
            // (non-code-generated) ObjectHashAggregate that falls back to sorting past 128 groups per task, and
            // with a count_distinct beside it Spark keeps that digest per group *and distinct value*. Without the
            // percentile, count/sum/avg/min/max and a count_distinct plan together as code-generated
            // HashAggregates in one scan; the percentiles get their own aggregation over the few columns they
            // need. Both sides have exactly the same groups (same rows, same keys), so the join matches each
            // group once; null-safe, because a dimension may be null. Measured in bench/README.md.
            Dataset<Row> hashed = aggregate(silver, dimensions, hashable);
            Dataset<Row> digested = aggregate(silver, dimensions, percentiles);
            if (dimensionNames.isEmpty()) {
                gold = hashed.crossJoin(digested);
            } else {
                // The percentile side's keys get private names: both sides come from one plan, so equal names
                // would be an ambiguous self-join.
                List<Column> renamed = new ArrayList<>();
                Column on = null;
                for (int i = 0; i < dimensionNames.size(); i++) {
                    String key = "__key" + i;
                    renamed.add(col(CleanAction.quoted(dimensionNames.get(i))).as(key));
                    Column same = col(CleanAction.quoted(dimensionNames.get(i))).eqNullSafe(col(key));
                    on = on == null ? same : on.and(same);
                }
                for (JsonNode aggregation : params.get("aggregations")) {
                    if ("approx_percentile".equals(aggregation.get("function").asText())) {
                        renamed.add(col(CleanAction.quoted(aggregation.get("as").asText())));
                    }
                }
                gold = hashed.join(digested.select(renamed.toArray(Column[]::new)), on, "inner");
            }
            gold = gold.select(output.toArray(Column[]::new));
        }
        WrittenOutput written = context.writer().write(gold, context.output());
        long rowsIn = context.input().rowCount() != null ? context.input().rowCount() : silver.count();
        return new ActionResult(written, null, rowsIn, List.of(), Map.of());
    }

    private static Dataset<Row> aggregate(Dataset<Row> silver, List<Column> dimensions, List<Column> aggregations) {
        Column first = aggregations.get(0);
        Column[] rest = aggregations.subList(1, aggregations.size()).toArray(Column[]::new);
        return dimensions.isEmpty() ? silver.agg(first, rest)
                : silver.groupBy(dimensions.toArray(Column[]::new)).agg(first, rest);
    }

    /** The output's dimension columns in order: the groupBy columns, then the time bucket. */
    private static List<String> dimensionNames(JsonNode params) {
        List<String> names = new ArrayList<>();
        params.path("groupBy").forEach(g -> names.add(g.asText()));
        JsonNode bucket = params.path("timeBucket");
        if (!bucket.isMissingNode()) {
            names.add(bucketName(bucket));
        }
        return names;
    }

    private static Column aggregation(JsonNode aggregation) {
        String function = aggregation.get("function").asText();
        Column column = aggregation.has("column") ? col(CleanAction.quoted(aggregation.get("column").asText())) : null;
        return switch (function) {
            case "count" -> column == null ? count(lit(1)) : count(column);
            case "count_distinct" -> count_distinct(column);
            case "sum" -> sum(column);
            case "avg" -> avg(column);
            case "min" -> min(column);
            case "max" -> max(column);
            case "approx_percentile" -> percentile_approx(column, lit(aggregation.get("percentile").asDouble()),
                    lit(aggregation.path("accuracy").asInt(DEFAULT_ACCURACY)));
            default -> throw new IllegalStateException("the params schema admits no function " + function);
        };
    }
}
