package dev.snapflow.spark;

import dev.snapflow.contracts.storage.S3Uri;
import org.apache.spark.sql.SparkSession;

/** Starts and stops the Spark session a job runs in. Started only after every check that can fail fast. */
public interface SparkRuntime {
    /**
     * A session whose reads and writes go to {@code bucket} (s3a) first, and whose Spark event log goes to
     * {@code eventLogDir} (an existing folder) unless the Spark conf says otherwise.
     */
    SparkSession start(S3Settings s3, String appName, String bucket, S3Uri eventLogDir);

    void stop(SparkSession session);
}
