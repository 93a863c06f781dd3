package dev.snapflow.contracts.storage;

import java.util.Objects;

/**
 * Storage contract v1: where snapshots and outputs live inside the bucket. Documented in
 * {@code docs/storage-contract.md}; this class is the only place that builds these keys.
 *
 * <pre>
 * {tenant}/{entity}/_latest.json                                  pointer to the newest committed raw snapshot
 * {tenant}/{entity}/{data_version}/raw/_manifest.json             committed raw snapshot (written last)
 * {tenant}/{entity}/{data_version}/raw/...                        its files, as listed by the manifest
 * {tenant}/{entity}/{data_version}/{tier}/{output_id}/_manifest.json   committed output (written last)
 * {tenant}/{entity}/{data_version}/{tier}/{output_id}/_attempts/{attempt_id}/...  files of one attempt
 * </pre>
 *
 * Keys have no leading slash and are relative to the bucket.
 */
public final class StorageLayout {
    public static final int CONTRACT_VERSION = 1;
    public static final String MANIFEST_FILE = "_manifest.json";
    public static final String ATTEMPTS_DIR = "_attempts";
    public static final String LATEST_POINTER_FILE = "_latest.json";

    private StorageLayout() {
    }

    /** {@code {tenant}/{entity}/{data_version}/} */
    public static String versionPrefix(SnapshotRef ref) {
        return ref.tenant() + "/" + ref.entity() + "/" + ref.dataVersion() + "/";
    }

    /** {@code {tenant}/{entity}/{data_version}/raw/} */
    public static String rawSnapshotPrefix(SnapshotRef ref) {
        return versionPrefix(ref) + Tier.RAW.pathSegment() + "/";
    }

    /** The manifest whose presence means the raw snapshot is committed. */
    public static String rawSnapshotManifestKey(SnapshotRef ref) {
        return rawSnapshotPrefix(ref) + MANIFEST_FILE;
    }

    /** {@code {tenant}/{entity}/_latest.json}: names the newest committed raw data version. */
    public static String latestPointerKey(String tenant, String entity) {
        return PathSegment.requireSafe("tenant", tenant) + "/" + PathSegment.requireSafe("entity", entity) + "/"
                + LATEST_POINTER_FILE;
    }

    /** {@code {tenant}/{entity}/{data_version}/{tier}/{output_id}/} */
    public static String outputPrefix(SnapshotRef ref, Tier tier, String outputId) {
        Objects.requireNonNull(tier, "tier");
        if (tier == Tier.RAW) {
            throw new IllegalArgumentException("outputs are never written to the raw tier");
        }
        return versionPrefix(ref) + tier.pathSegment() + "/" + PathSegment.requireSafe("outputId", outputId) + "/";
    }

    /** The manifest whose presence means the output is committed (and never written again). */
    public static String outputManifestKey(SnapshotRef ref, Tier tier, String outputId) {
        return outputPrefix(ref, tier, outputId) + MANIFEST_FILE;
    }

    /**
     * Where one attempt writes its files before the manifest commits them. A failed attempt leaves files
     * here that no manifest names: invisible to readers, and safe to delete later.
     */
    public static String attemptPrefix(SnapshotRef ref, Tier tier, String outputId, String attemptId) {
        return outputPrefix(ref, tier, outputId) + ATTEMPTS_DIR + "/" + PathSegment.requireSafe("attemptId", attemptId) + "/";
    }

    /** The manifest key that sits in the same folder as {@code prefix} (which ends with '/'). */
    public static String manifestKeyIn(String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix ends with '/': " + prefix);
        }
        return prefix + MANIFEST_FILE;
    }
}
