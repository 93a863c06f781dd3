package dev.snapflow.local.sampledata;

/** A committed snapshot is immutable: publishing the same data version again is refused. */
public final class SnapshotAlreadyCommittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SnapshotAlreadyCommittedException(String bucket, String manifestKey) {
        super("snapshot already committed: s3://" + bucket + "/" + manifestKey + " exists and is never overwritten");
    }
}
