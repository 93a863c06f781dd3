package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commit rule against the real S3 API: a committed manifest is never written again. */
@ExtendWith(LocalStackExtension.class)
class S3ManifestStoreTest {
    private static S3Client s3;
    private static S3ManifestStore store;
    private static String bucket;

    @BeforeAll
    static void setUp(LocalStack stack) {
        s3 = S3Target.of(stack.s3()).settings().newClient();
        store = new S3ManifestStore(s3);
        bucket = stack.s3().bucket();
    }

    @AfterAll
    static void tearDown() {
        store.close();
    }

    @Test
    void aSecondCommitOfTheSameOutputKeepsTheFirstManifest() {
        SnapshotRef ref = JobHarness.newRef("orders");
        S3Uri uri = new S3Uri(bucket, StorageLayout.outputManifestKey(ref, Tier.SILVER, "clean-0123456789abcdef"));
        Manifest first = manifest(ref, 10);
        Manifest second = manifest(ref, 20);

        assertThat(store.commitIfAbsent(uri, first)).isEqualTo(first);
        assertThat(store.commitIfAbsent(uri, second)).isEqualTo(first);
        assertThat(store.read(uri)).contains(first);
    }

    @Test
    void theStorageRefusesAConditionalPutOverAnExistingManifest() {
        // What closes the race between two attempts that both found no manifest: If-None-Match on the write.
        SnapshotRef ref = JobHarness.newRef("orders");
        S3Uri uri = new S3Uri(bucket, StorageLayout.outputManifestKey(ref, Tier.GOLD, "aggregate-0123456789abcdef"));
        store.commitIfAbsent(uri, manifest(ref, 1));

        assertThatThrownBy(() -> s3.putObject(PutObjectRequest.builder().bucket(bucket).key(uri.key()).ifNoneMatch("*").build(),
                RequestBody.fromBytes(ManifestCodec.toJson(manifest(ref, 2)))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
        assertThat(store.read(uri).orElseThrow().rowCount()).isEqualTo(1);
    }

    @Test
    void anAbsentManifestReadsAsNotCommittedAndGarbageAsMissingInput() {
        SnapshotRef ref = JobHarness.newRef("orders");
        S3Uri absent = new S3Uri(bucket, StorageLayout.rawSnapshotManifestKey(ref));
        assertThat(store.read(absent)).isEmpty();

        s3.putObject(PutObjectRequest.builder().bucket(bucket).key(absent.key()).build(), RequestBody.fromString("{\"files\": 3}"));
        assertThatThrownBy(() -> store.read(absent))
                .isInstanceOfSatisfying(JobFailure.class, f -> assertThat(f.errorClass()).isEqualTo(ErrorClass.MISSING_INPUT))
                .hasMessageContaining("not a committed manifest");
    }

    private static Manifest manifest(SnapshotRef ref, long rows) {
        return new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_OUTPUT, ref.tenant(), ref.entity(), ref.dataVersion(),
                "silver", "clean-0123456789abcdef", "parquet", List.of(), rows, 0, List.of(),
                new Manifest.Producer(JobRunner.PRODUCER, JobVersion.current(), UUID.randomUUID().toString(), 1, 1, "clean", Map.of()),
                Instant.parse("2026-11-21T10:00:00Z"), List.of(), Map.of(), List.of(), null);
    }
}
