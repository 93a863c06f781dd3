package dev.snapflow.contracts.storage;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a committed snapshot or output is. The manifest is written last; its presence is the commit, and
 * readers read exactly the files it lists (never a directory listing). Schema:
 * {@code schemas/dev.snapflow.manifest.v1.json}.
 *
 * @param manifestVersion always {@value StorageLayout#CONTRACT_VERSION} for this contract version
 * @param kind            {@code snapshot} (raw input published from outside) or {@code output} (written by a job)
 * @param tier            the tier's path segment ({@code raw}, {@code bronze}, ...)
 * @param outputId        for outputs, the derived {@link OutputId}; null for snapshots
 * @param format          {@code csv}, {@code jsonl} or {@code parquet}
 * @param files           every data file, as bucket-relative keys
 * @param rowCount        total rows; null when unknown (a raw CSV published without counting)
 * @param bytes           total bytes of all files
 * @param schema          columns in order; empty when unknown (raw CSV without a declared schema)
 * @param producer        who wrote it
 * @param inputs          bucket-relative keys of the manifests this output was computed from
 * @param metrics         numbers worth keeping (rows in/out, rejected, duration ms, ...)
 * @param quality         data-quality rule results of a clean step; empty otherwise
 * @param rejected        for outputs with a quarantine companion: where the rejected rows are; else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        int manifestVersion,
        String kind,
        String tenant,
        String entity,
        String dataVersion,
        String tier,
        String outputId,
        String format,
        List<DataFile> files,
        Long rowCount,
        long bytes,
        List<Column> schema,
        Producer producer,
        Instant committedAt,
        List<String> inputs,
        Map<String, Number> metrics,
        List<QualityResult> quality,
        Rejected rejected) {

    public static final String KIND_SNAPSHOT = "snapshot";
    public static final String KIND_OUTPUT = "output";

    public Manifest {
        files = files == null ? List.of() : List.copyOf(files);
        schema = schema == null ? List.of() : List.copyOf(schema);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        quality = quality == null ? List.of() : List.copyOf(quality);
    }

    public SnapshotRef snapshotRef() {
        return new SnapshotRef(tenant, entity, dataVersion);
    }

    /** One data file. {@code sha256} is the hex digest of its bytes; {@code rows} is null when unknown. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DataFile(String key, long bytes, Long rows, String sha256) {
    }

    /** One column: name, a Spark SQL type name ({@code string}, {@code bigint}, {@code decimal(18,2)}, ...), nullability. */
    public record Column(String name, String type, boolean nullable) {
    }

    /**
     * Who committed the data. For outputs: the job, its version and the process/step/attempt that ran it.
     * For snapshots: the publishing system (e.g. {@code snapflow-cli}) and the other fields null.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Producer(String name, String version, String processId, Integer step, Integer attempt,
                           String action, Map<String, Object> params) {
    }

    /** The outcome of one data-quality rule of a clean step. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QualityResult(String rule, String column, String severity, long passed, long failed) {
    }

    /** Where a step's rejected rows were committed, and how many. */
    public record Rejected(String manifestKey, long rowCount) {
    }
}
