package dev.snapflow.functions.validate.storage;

import dev.snapflow.contracts.storage.SnapshotRef;

import java.util.Optional;

/** What validate asks object storage: is a raw snapshot committed, and which version is the latest. */
public interface SnapshotStore {
    /** True when the raw snapshot's manifest exists (one HEAD request): its presence is the commit. */
    boolean rawSnapshotCommitted(SnapshotRef ref);

    /** The data version {@code {tenant}/{entity}/_latest.json} names, if the entity has one. */
    Optional<String> latestVersion(String tenant, String entity);

    /** {@code s3://bucket/key} of an object of this store. */
    String uri(String key);
}
