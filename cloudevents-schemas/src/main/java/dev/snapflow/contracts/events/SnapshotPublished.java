package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;

import java.time.Instant;

/**
 * Data of {@value EventTypes#SNAPSHOT_PUBLISHED}: an external system has committed a raw snapshot (its manifest
 * is written) and tells Snapflow about it.
 *
 * @param tenant      tenant id
 * @param entity      entity name
 * @param dataVersion the concrete data version just committed
 * @param manifestKey bucket-relative key of the raw manifest; must be the layout's
 *                    {@code {tenant}/{entity}/{dataVersion}/raw/_manifest.json}
 * @param rowCount    optional row count, when the publisher counted
 * @param publishedAt when the manifest was committed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotPublished(
        String tenant,
        String entity,
        String dataVersion,
        String manifestKey,
        Long rowCount,
        Instant publishedAt) implements EntityScoped {

    public SnapshotPublished {
        SnapshotRef ref = new SnapshotRef(tenant, entity, dataVersion);
        FieldRules.requireConcreteVersion("dataVersion", dataVersion);
        String expected = StorageLayout.rawSnapshotManifestKey(ref);
        if (!expected.equals(manifestKey)) {
            throw new IllegalArgumentException("manifestKey must be '" + expected + "', was '" + manifestKey + "'");
        }
        if (rowCount != null && rowCount < 0) {
            throw new IllegalArgumentException("rowCount must not be negative");
        }
        FieldRules.required("publishedAt", publishedAt);
    }

    public SnapshotRef snapshotRef() {
        return new SnapshotRef(tenant, entity, dataVersion);
    }
}
