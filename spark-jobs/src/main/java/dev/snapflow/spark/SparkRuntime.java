package dev.snapflow.spark;

import org.apache.spark.sql.SparkSession;

/** Starts and stops the Spark session a job runs in. Started only after every check that can fail fast. */
public interface SparkRuntime {
    SparkSession start(S3Settings s3, String appName);

    void stop(SparkSession session);
}
