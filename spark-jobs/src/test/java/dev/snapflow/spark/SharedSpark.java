package dev.snapflow.spark;

import dev.snapflow.contracts.storage.S3Uri;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One local Spark session for every in-process job of the test JVM, configured by the job's own
 * {@link SparkSessionFactory#configure}; it counts how often a job asked for Spark, so tests can prove that
 * a job did not start it.
 */
final class SharedSpark implements SparkRuntime {
    private final AtomicInteger starts = new AtomicInteger();
    private SparkSession session;

    @Override
    public synchronized SparkSession start(S3Settings s3, String appName, String bucket, S3Uri eventLogDir) {
        starts.incrementAndGet();
        if (session == null) {
            SparkConf conf = new SparkConf()
                    .setMaster("local[2]")
                    .set("spark.sql.shuffle.partitions", "4")
                    .set("spark.default.parallelism", "4")
                    .set("spark.driver.host", "127.0.0.1");
            session = SparkSession.builder().config(SparkSessionFactory.configure(conf, s3, "snapflow-tests")).getOrCreate();
        }
        return session;
    }

    /** The session stays up for the next test; the JVM's shutdown stops it. */
    @Override
    public void stop(SparkSession ignored) {
    }

    int starts() {
        return starts.get();
    }

    synchronized void shutdown() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }
}
