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
 * {tenant}/_jobs/{process_id}/steps/{step}/attempts/{attempt}/driver.log       the job's driver output
 * {tenant}/_jobs/{process_id}/steps/{step}/attempts/{attempt}/spark-events/    Spark's event log of that run
 * </pre>
 *
 * Keys have no leading slash and are relative to the bucket.
 */
public final class StorageLayout {
    public static final int CONTRACT_VERSION = 1;
    public static final String MANIFEST_FILE = "_manifest.json";
    public static final String ATTEMPTS_DIR = "_attempts";
    public static final String LATEST_POINTER_FILE = "_latest.json";
    /**
     * The folder of a tenant's job runs (logs, event logs). It starts with '_', which no entity name can
     * ({@link PathSegment}), so it never collides with data.
     */
    public static final String JOBS_DIR = "_jobs";
    public static final String DRIVER_LOG_FILE = "driver.log";
    public static final String SPARK_EVENTS_DIR = "spark-events";
    private static final java.util.regex.Pattern PROCESS_ID =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

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

    /** {@code {tenant}/_jobs/}: everything the tenant's job runs left besides data (one retention rule covers it). */
    public static String jobsPrefix(String tenant) {
        return PathSegment.requireSafe("tenant", tenant) + "/" + JOBS_DIR + "/";
    }

    /**
     * {@code {tenant}/_jobs/{process_id}/steps/{step}/attempts/{attempt}/}: what one run of one step left behind
     * (its driver log and Spark event log), whether or not it committed an output.
     *
     * @param processId the process UUID in canonical lower-case form
     */
    public static String jobRunPrefix(String tenant, String processId, int step, int attempt) {
        if (processId == null || !PROCESS_ID.matcher(processId).matches()) {
            throw new IllegalArgumentException("processId must be a lower-case UUID, was '" + processId + "'");
        }
        if (step < 1 || attempt < 1 || step > 999 || attempt > 999) {
            throw new IllegalArgumentException("step and attempt are 1 to 999, were " + step + " and " + attempt);
        }
        return jobsPrefix(tenant) + processId + "/steps/" + step + "/attempts/" + attempt + "/";
    }

    /** The driver's output (stdout and stderr) of one run: rewritten while it runs, complete when it ends. */
    public static String driverLogKey(String tenant, String processId, int step, int attempt) {
        return jobRunPrefix(tenant, processId, step, attempt) + DRIVER_LOG_FILE;
    }

    /** Spark's event log folder of one run ({@code spark.eventLog.dir}); ends with '/'. */
    public static String sparkEventLogPrefix(String tenant, String processId, int step, int attempt) {
        return jobRunPrefix(tenant, processId, step, attempt) + SPARK_EVENTS_DIR + "/";
    }
}
