package dev.snapflow.local.sampledata;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;

/** A raw snapshot that is committed: its manifest exists and the latest pointer names it. */
public record PublishedSnapshot(SnapshotRef ref, String bucket, String manifestKey, Manifest manifest) {
    /** The manifest as a job argument ({@code --input-manifest}). */
    public S3Uri manifestUri() {
        return new S3Uri(bucket, manifestKey);
    }
}
