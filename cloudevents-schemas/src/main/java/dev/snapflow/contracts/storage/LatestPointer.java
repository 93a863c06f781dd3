package dev.snapflow.contracts.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * The content of {@code {tenant}/{entity}/_latest.json}: the newest committed raw data version, which a request
 * for data version {@code latest} resolves to. Written only after that version's raw manifest is committed,
 * and only forward ({@link #supersedes}); schema {@code schemas/dev.snapflow.latest-pointer.v1.json}.
 *
 * @param dataVersion the concrete data version
 * @param committedAt the {@code committedAt} of that version's raw manifest
 */
public record LatestPointer(String dataVersion, Instant committedAt) {
    public LatestPointer {
        PathSegment.requireSafe("dataVersion", dataVersion);
        if (SnapshotRef.LATEST.equals(dataVersion)) {
            throw new IllegalArgumentException("dataVersion must be a concrete data version, not 'latest'");
        }
        Objects.requireNonNull(committedAt, "committedAt");
    }

    /** The pointer for a committed raw snapshot. */
    public static LatestPointer of(Manifest rawManifest) {
        if (!Manifest.KIND_SNAPSHOT.equals(rawManifest.kind())) {
            throw new IllegalArgumentException("the latest pointer names raw snapshots, not " + rawManifest.kind() + "s");
        }
        return new LatestPointer(rawManifest.dataVersion(), rawManifest.committedAt());
    }

    /**
     * True when this pointer may replace {@code current} (null when there is none yet): it names a version
     * committed later, or at the same instant with a greater name, so concurrent writers agree on one winner
     * and the pointer never moves back.
     */
    public boolean supersedes(LatestPointer current) {
        if (current == null) {
            return true;
        }
        int byTime = committedAt.compareTo(current.committedAt);
        return byTime > 0 || byTime == 0 && dataVersion.compareTo(current.dataVersion) > 0;
    }
}
