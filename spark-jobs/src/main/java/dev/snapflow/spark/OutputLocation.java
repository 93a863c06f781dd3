package dev.snapflow.spark;

import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;

/**
 * Where one output of this job lives, per storage contract v1: its committed prefix and manifest, and the
 * prefix private to this run ({@code _attempts/{attemptId}/}), where Spark writes before the manifest commits.
 */
public record OutputLocation(String bucket, SnapshotRef ref, Tier tier, String outputId, String attemptId) {

    public String prefixKey() {
        return StorageLayout.outputPrefix(ref, tier, outputId);
    }

    public S3Uri prefix() {
        return new S3Uri(bucket, prefixKey());
    }

    public S3Uri manifest() {
        return new S3Uri(bucket, StorageLayout.outputManifestKey(ref, tier, outputId));
    }

    public S3Uri attemptPrefix() {
        return new S3Uri(bucket, StorageLayout.attemptPrefix(ref, tier, outputId, attemptId));
    }

    /** The attempt prefix as Spark writes to it. */
    public String attemptPath() {
        return SparkPaths.s3a(attemptPrefix());
    }

    /** The same output id and attempt in another tier (the quarantine companion of a clean step). */
    public OutputLocation inTier(Tier other) {
        return new OutputLocation(bucket, ref, other, outputId, attemptId);
    }
}
