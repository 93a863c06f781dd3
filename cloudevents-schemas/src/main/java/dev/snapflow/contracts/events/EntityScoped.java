package dev.snapflow.contracts.events;

/**
 * Event data about one entity of one tenant. Its partition key keeps everything about that entity in order
 * on one Kafka partition; {@link Events} sets it as the {@code partitionkey} extension.
 */
public interface EntityScoped {
    String tenant();

    String entity();

    /** {@code tenant/entity}, the same value as {@link dev.snapflow.contracts.storage.SnapshotRef#partitionKey()}. */
    default String partitionKey() {
        return tenant() + "/" + entity();
    }
}
