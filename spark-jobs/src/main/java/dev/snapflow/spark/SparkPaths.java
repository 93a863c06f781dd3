package dev.snapflow.spark;

import dev.snapflow.contracts.storage.S3Uri;

/** Contracts speak {@code s3://bucket/key}; Hadoop's S3 connector is the {@code s3a} scheme. */
public final class SparkPaths {
    private SparkPaths() {
    }

    public static String s3a(S3Uri uri) {
        return "s3a://" + uri.bucket() + "/" + uri.key();
    }

    public static String s3a(String bucket, String key) {
        return "s3a://" + bucket + "/" + key;
    }
}
