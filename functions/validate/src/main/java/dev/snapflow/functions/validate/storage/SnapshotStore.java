package dev.snapflow.functions.validate.storage;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.UnsafeManifestException;

import java.util.Optional;

/** What validate asks object storage: is a raw snapshot committed (and safe to read), and which version is the latest. */
public interface SnapshotStore {
    /**
     * True when the raw snapshot's manifest exists (its presence is the commit) and keeps to the data-isolation
     * rule: every file it lists lies under the snapshot's own prefix ({@code ManifestFiles}). One GET per version.
     *
     * @throws UnsafeManifestException when the manifest exists but lists a file outside its own prefix, a glob,
     *                                 or is not a readable manifest (nothing may run on it)
     */
    boolean rawSnapshotCommitted(SnapshotRef ref);

    /** The data version {@code {tenant}/{entity}/_latest.json} names, if the entity has one. */
    Optional<String> latestVersion(String tenant, String entity);

    /**
     * The committed output manifest at {@code uri} ({@code s3://bucket/key} as steps record it), or empty when it is
     * not there or not this store's. Committed manifests never change, so an answer may be remembered.
     */
    Optional<Manifest> committedOutput(String uri);

    /** {@code s3://bucket/key} of an object of this store. */
    String uri(String key);
}
