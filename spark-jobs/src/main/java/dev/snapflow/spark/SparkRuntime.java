package dev.snapflow.spark;

import org.apache.spark.sql.SparkSession;

/** Starts and stops the Spark session a job runs in. Started only after every check that can fail fast. */
public interface SparkRuntime {
    /** A session whose reads and writes go to {@code bucket} (s3a) first. */
    SparkSession start(S3Settings s3, String appName, String bucket);

    void stop(SparkSession session);
}
