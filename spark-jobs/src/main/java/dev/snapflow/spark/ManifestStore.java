package dev.snapflow.spark;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.S3Uri;

import java.util.List;
import java.util.Optional;

/**
 * The job's small, exact conversations with object storage: read a manifest, commit one, and see what an
 * attempt of its own wrote. Data files never pass through here (Spark reads and writes them over s3a).
 */
public interface ManifestStore {
    /** The manifest at {@code uri}, or empty when there is none (not committed). */
    Optional<Manifest> read(S3Uri uri);

    /**
     * Writes the manifest only when none exists at {@code uri} and returns it; when one exists (an identical
     * request committed first) returns that one instead and writes nothing.
     */
    Manifest commitIfAbsent(S3Uri uri, Manifest manifest);

    /** Objects under a prefix this job attempt owns (never used to find inputs). */
    List<StoredObject> listAttempt(S3Uri prefix);

    /** Creates an empty folder marker ({@code prefix} ends with '/'), as Hadoop's {@code mkdirs} on s3a does. */
    void createFolder(S3Uri prefix);

    /** One listed object. */
    record StoredObject(String key, long bytes) {
    }
}
