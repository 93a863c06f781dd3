package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import dev.snapflow.spark.actions.ActionContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a job refuses to read: a manifest naming another tenant's file or a glob fails INVALID_DATA before
 * anything is read; and what it runs safely: a tenant's catastrophic regex finishes (RE2/J), a backreference is
 * refused with the field named.
 */
@ExtendWith(LocalStackExtension.class)
class JobInputSafetyTest {
    private static JobHarness harness;

    @BeforeAll
    static void setUp(LocalStack stack) {
        harness = JobHarness.shared(S3Target.of(stack.s3()));
    }

    private static PublishedSnapshot publishCsv(SnapshotRef ref, String name, String content) throws IOException {
        Path dir = Files.createTempDirectory("job-input-safety-");
        Path csv = dir.resolve(name);
        Files.writeString(csv, content);
        try {
            return new SnapshotPublisher(harness.s3, harness.target.bucket()).publishFiles(ref, List.of(csv));
        } finally {
            Files.delete(csv);
            Files.delete(dir);
        }
    }

    /** Writes a raw manifest for {@code ref} listing {@code keys}, as a misbehaving publisher would. */
    private static S3Uri forgeManifest(SnapshotRef ref, List<String> keys) {
        Manifest manifest = new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_SNAPSHOT, ref.tenant(), ref.entity(),
                ref.dataVersion(), Tier.RAW.pathSegment(), null, "csv",
                keys.stream().map(k -> new Manifest.DataFile(k, 10, null, null)).toList(), null, 10, List.of(),
                new Manifest.Producer("forger", "1", null, null, null, null, null),
                Instant.now(), List.of(), Map.of(), List.of(), null);
        String key = StorageLayout.rawSnapshotManifestKey(ref);
        harness.s3.putObject(b -> b.bucket(harness.target.bucket()).key(key), RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
        return new S3Uri(harness.target.bucket(), key);
    }

    private static void assertRefusedBeforeReading(JobHarness.JobRun run, SnapshotRef ref, String offendingKey, int sparkStartsBefore) {
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.reports()).extracting(JobStatusReport::state).containsExactly(JobState.FAILED);
        assertThat(run.last().error().errorClass()).isEqualTo(ErrorClass.INVALID_DATA);
        assertThat(run.last().error().message()).contains("files[0].key", offendingKey);
        assertThat(harness.spark.starts()).isEqualTo(sparkStartsBefore);
        // Nothing beside the forged manifest itself: no bronze output, no attempt files.
        assertThat(harness.list(StorageLayout.versionPrefix(ref))).extracting(S3Object::key)
                .containsExactly(StorageLayout.rawSnapshotManifestKey(ref));
    }

    @Test
    void aManifestListingAnotherTenantsFileFailsInvalidDataAndCopiesNothing() throws IOException {
        SnapshotRef victim = new SnapshotRef("victim-" + UUID.randomUUID().toString().substring(0, 8), "orders", "v1");
        PublishedSnapshot secret = publishCsv(victim, "part-0.csv", "id,secret\n1,do-not-copy\n");
        SnapshotRef attacker = JobHarness.newRef("orders");
        String victimsKey = secret.manifest().files().get(0).key();
        S3Uri forged = forgeManifest(attacker, List.of(victimsKey));
        int startsBefore = harness.spark.starts();

        JobHarness.JobRun run = harness.run(harness.arguments(attacker, "ingest", "{}", forged, Tier.BRONZE));

        assertRefusedBeforeReading(run, attacker, victimsKey, startsBefore);
    }

    @Test
    void aManifestListingAGlobFailsInvalidDataAndCopiesNothing() {
        SnapshotRef attacker = JobHarness.newRef("orders");
        S3Uri forged = forgeManifest(attacker, List.of(StorageLayout.rawSnapshotPrefix(attacker) + "part-*.csv"));
        int startsBefore = harness.spark.starts();

        JobHarness.JobRun run = harness.run(harness.arguments(attacker, "ingest", "{}", forged, Tier.BRONZE));

        assertRefusedBeforeReading(run, attacker, "part-*.csv", startsBefore);
    }

    @Test
    void dataFilesAreReadByExactPathNeverExpandedAsAGlob(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("part-0.csv"), "id\n1\n");
        Files.writeString(dir.resolve("part-1.csv"), "id\n2\n");
        Files.writeString(dir.resolve("part-*.csv"), "id\n9\n"); // a file whose name is the glob itself
        String path = dir.toUri() + "part-*.csv";
        SparkSession spark = harness.spark.start(harness.target.settings(), "glob-check", harness.target.bucket(), null);

        // Spark's default reader expands the path to all three files...
        assertThat(spark.read().schema("id INT").option("header", "true").csv(path).collectAsList())
                .extracting(row -> row.getInt(0)).containsExactlyInAnyOrder(1, 2, 9);
        // ...the job's reader reads exactly the one file of that name.
        assertThat(ActionContext.exactPathReader(spark).schema("id INT").option("header", "true").csv(path).collectAsList())
                .extracting(row -> row.getInt(0)).containsExactly(9);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aCatastrophicRegexOverLongValuesFinishes() throws IOException {
        SnapshotRef ref = JobHarness.newRef("strings");
        StringBuilder csv = new StringBuilder("id,code\n");
        for (int i = 0; i < 200; i++) {
            // (a+)+$ against a long run of 'a' ending in '!' backtracks exponentially in java.util.regex (rlike).
            csv.append(i).append(',').append("a".repeat(20_000)).append(i % 2 == 0 ? "!" : "").append('\n');
        }
        PublishedSnapshot raw = publishCsv(ref, "long.csv", csv.toString());
        JobHarness.JobRun ingest = harness.run(harness.arguments(ref, "ingest", "{}", raw.manifestUri(), Tier.BRONZE));
        assertThat(ingest.exitCode()).isZero();
        S3Uri bronze = S3Uri.parse("outputManifest", ingest.last().outputManifest());
        String params = """
                {"schema": [{"name": "id", "type": "int"}, {"name": "code", "type": "string"}],
                 "rules": [{"rule": "regex", "column": "code", "pattern": "(a+)+$", "severity": "warn"},
                           {"rule": "regex", "column": "code", "pattern": "^\\\\$?(a|aa)+$$|^[$]+$", "severity": "warn"}]}""";

        JobHarness.JobRun clean = harness.run(harness.arguments(ref, "clean", params, bronze, Tier.SILVER));

        assertThat(clean.exitCode()).isZero();
        Manifest silver = clean.output();
        assertThat(silver.quality()).extracting(Manifest.QualityResult::failed).containsExactly(100L, 100L);
        assertThat(silver.quality()).extracting(Manifest.QualityResult::passed).containsExactly(100L, 100L);
    }

    @Test
    void aBackreferencePatternIsRefusedBeforeSparkStartsNamingTheField() {
        SnapshotRef ref = JobHarness.newRef("strings");
        S3Uri bronze = new S3Uri(harness.target.bucket(), StorageLayout.outputPrefix(ref, Tier.BRONZE, "ingest-x")
                + StorageLayout.MANIFEST_FILE);
        String params = """
                {"schema": [{"name": "code", "type": "string"}],
                 "rules": [{"rule": "not_null", "column": "code"},
                           {"rule": "regex", "column": "code", "pattern": "^(a+)\\\\1$"}]}""";
        int startsBefore = harness.spark.starts();

        JobHarness.JobRun run = harness.run(harness.arguments(ref, "clean", params, bronze, Tier.SILVER));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.last().error().errorClass()).isEqualTo(ErrorClass.INVALID_PARAMS);
        assertThat(run.last().error().message()).contains("rules[1].pattern", "RE2");
        assertThat(harness.spark.starts()).isEqualTo(startsBefore);
    }
}
