package dev.snapflow.contracts.storage;

/**
 * Names one data version of one entity of one tenant. Construction validates every segment, so a
 * {@code SnapshotRef} in hand is always safe to turn into a path.
 */
public record SnapshotRef(String tenant, String entity, String dataVersion) {
    /** The data version a request may name to mean the newest committed raw snapshot. */
    public static final String LATEST = "latest";

    public SnapshotRef {
        PathSegment.requireSafe("tenant", tenant);
        PathSegment.requireSafe("entity", entity);
        PathSegment.requireSafe("dataVersion", dataVersion);
    }

    /** Kafka key of everything about this entity: keeps one tenant's entity in order on one partition. */
    public String partitionKey() {
        return tenant + "/" + entity;
    }
}
