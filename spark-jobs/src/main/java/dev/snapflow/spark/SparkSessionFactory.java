package dev.snapflow.spark;

import dev.snapflow.contracts.storage.S3Uri;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The job's Spark session: whatever spark-submit or {@code -Dspark.*} properties set (master, resources),
 * plus what the job's correctness depends on (UTC, interoperable Parquet timestamps, s3a settings).
 * Without a master it runs in local mode, as the local backend's child JVM does.
 */
public final class SparkSessionFactory implements SparkRuntime {

    /** Applies the job's settings to a Spark configuration; tests build their shared session with it too. */
    public static SparkConf configure(SparkConf conf, S3Settings s3, String appName) {
        conf.setIfMissing("spark.master", "local[*]");
        conf.setIfMissing("spark.app.name", appName);
        conf.setIfMissing("spark.ui.enabled", "false");
        conf.set("spark.sql.session.timeZone", "UTC");
        // INT96 (Spark's default) is legacy; micros with UTC adjustment reads the same in DuckDB, Trino, pandas.
        conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        // The attempt prefix is private to this run and the manifest is the commit, so the committer need not
        // be atomic: v2 moves task output once instead of twice, and no _SUCCESS marker is needed.
        conf.setIfMissing("spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version", "2");
        conf.setIfMissing("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
        conf.setIfMissing("spark.hadoop.mapreduce.fileoutputcommitter.cleanup-failures.ignored", "true");
        // HotSpot never JIT-compiles a method over 8000 bytes of bytecode (DontCompileHugeMethods): clean's
        // per-row loop over 15 typed columns generated a 9018-byte processNext that ran interpreted for the whole
        // scan. With Spark's limit at HotSpot's, such a stage runs without whole-stage fusion instead, each
        // operator with its own (split, compiled) generated code.
        conf.setIfMissing("spark.sql.codegen.hugeMethodLimit", "8000");
        // Adaptive execution (Spark's default, stated because the actions rely on it): it merges shuffle partitions
        // that turn out small, which lets the actions size spark.sql.shuffle.partitions generously
        // (ActionContext.sizeShuffles) on the local backend's local[N] and on a cluster alike.
        conf.setIfMissing("spark.sql.adaptive.enabled", "true");
        conf.setIfMissing("spark.sql.adaptive.coalescePartitions.enabled", "true");
        // Explicit Spark conf (spark-submit --conf spark.hadoop.fs.s3a.*) wins over what the environment implies.
        s3.hadoopOptions().forEach((key, value) -> conf.setIfMissing("spark.hadoop." + key, value));
        return conf;
    }

    @Override
    public SparkSession start(S3Settings s3, String appName, String bucket, S3Uri eventLogDir) {
        SparkConf conf = configure(new SparkConf(), s3, appName);
        // Spark's own view of the run, for a History Server reading the bucket (docs/deploy.md); an operator's
        // -Dspark.eventLog.enabled=false turns it off.
        conf.setIfMissing("spark.eventLog.enabled", "true");
        conf.setIfMissing("spark.eventLog.dir", SparkPaths.s3a(eventLogDir));
        // The first s3a FileSystem costs seconds (hadoop-aws and AWS SDK classes, the SDK clients, thread pools) and
        // Spark creates it only when the action first reads, after its own start (SparkContext, then the SQL
        // session state). Created on another thread meanwhile, with the Hadoop configuration Spark derives from the
        // same conf, it is the instance Hadoop's FileSystem cache (scheme, bucket, user) hands to Spark's first read.
        CompletableFuture<Void> s3a = CompletableFuture.runAsync(() -> openFileSystem(conf, bucket));
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        try {
            s3a.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // Not fatal here: the action's first read creates the FileSystem again and reports what fails then.
        }
        return session;
    }

    private static void openFileSystem(SparkConf conf, String bucket) {
        try {
            FileSystem.get(URI.create(SparkPaths.s3a(bucket, "")), SparkHadoopUtil.get().newConfiguration(conf));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void stop(SparkSession session) {
        session.stop();
    }
}
