package dev.snapflow.local.sampledata;

/**
 * The refresh pipeline with the Spark job's example params for the orders (clean.orders.json,
 * aggregate.orders.json), written independently in DuckDB SQL over the raw CSV: normalise, cast (rows that do not
 * cast are rejected), keep the latest version per order, then aggregate per country, status and UTC day.
 * The approximate median is not compared (its rank error is the job's own tests' business).
 * <p>The reference both the end-to-end test (gold equal to this) and the benchmark (Spark's rows/s next to DuckDB's
 * on the same files) hold the Spark job to. {@link #CLEAN} reads a table {@code raw} (the raw CSV, all columns as
 * text) and creates {@code expected_silver}; {@link #AGGREGATE} reads that and creates {@code expected_gold}.
 */
public final class IndependentRefresh {
    public static final String CLEAN = """
            CREATE TABLE expected_silver AS
            WITH normalised AS (
              SELECT NULLIF(trim(order_id), '') AS order_id,
                     NULLIF(trim(customer_id), '') AS customer_id,
                     upper(NULLIF(trim(country), '')) AS country,
                     lower(NULLIF(trim(status), '')) AS status,
                     NULLIF(trim(quantity), '') AS quantity,
                     NULLIF(trim(unit_price), '') AS unit_price,
                     NULLIF(trim(total_amount), '') AS total_amount,
                     NULLIF(trim(order_ts), '') AS order_ts,
                     NULLIF(trim(updated_at), '') AS updated_at
              FROM raw),
            typed AS (
              SELECT order_id, customer_id, country, status,
                     TRY_CAST(quantity AS INTEGER) AS quantity,
                     TRY_CAST(unit_price AS DECIMAL(12,2)) AS unit_price,
                     TRY_CAST(total_amount AS DECIMAL(14,2)) AS total_amount,
                     try_strptime(order_ts, '%Y-%m-%d %H:%M:%S') AS order_ts,
                     try_strptime(updated_at, '%Y-%m-%d %H:%M:%S') AS updated_at
              FROM normalised)
            SELECT * FROM typed
            WHERE order_id IS NOT NULL AND status IS NOT NULL AND quantity IS NOT NULL AND unit_price IS NOT NULL
              AND total_amount IS NOT NULL AND order_ts IS NOT NULL AND updated_at IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC) = 1""";

    public static final String AGGREGATE = """
            CREATE TABLE expected_gold AS
            SELECT country, status, date_trunc('day', order_ts) AS order_day,
                   count(*) AS orders,
                   count(DISTINCT customer_id) AS customers,
                   sum(total_amount) AS revenue,
                   avg(CAST(total_amount AS DOUBLE)) AS avg_order_value,
                   min(unit_price) AS min_unit_price,
                   max(unit_price) AS max_unit_price
            FROM expected_silver
            GROUP BY country, status, date_trunc('day', order_ts)""";

    private IndependentRefresh() {
    }
}
