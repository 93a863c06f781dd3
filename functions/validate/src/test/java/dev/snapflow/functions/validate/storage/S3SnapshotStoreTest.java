package dev.snapflow.functions.validate.storage;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.contracts.storage.UnsafeManifestException;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The adapter against the real S3 API of the local stack: what it remembers and what it asks every time. */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3SnapshotStoreTest {
    private S3Client s3;
    private String bucket;
    private S3SnapshotStore store;
    private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start(LocalStack stack) {
        s3 = stack.s3().newClient();
        bucket = stack.s3().bucket();
        store = new S3SnapshotStore(new S3Configuration(stack.s3().endpoint().toString(), stack.s3().region(), bucket,
                stack.s3().accessKey(), stack.s3().secretKey()));
    }

    @AfterAll
    void stop() {
        store.close();
        s3.close();
    }

    private void publish(SnapshotRef ref) throws Exception {
        Path csv = Files.createTempFile("raw-snapshot-", ".csv");
        try {
            Files.writeString(csv, "id,amount\n1,10\n");
            new SnapshotPublisher(s3, bucket).publishFiles(ref, List.of(csv));
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    private void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Test
    void aCommittedVersionIsRememberedWithoutAskingStorageAgain() throws Exception {
        SnapshotRef ref = new SnapshotRef(tenant, "orders", "v-remembered");
        publish(ref);
        assertThat(store.rawSnapshotCommitted(ref)).isTrue();

        // Manifests are write-once; deleting one here only makes visible that the second answer came from memory.
        delete(StorageLayout.rawSnapshotManifestKey(ref));

        assertThat(store.rawSnapshotCommitted(ref)).isTrue();
    }

    private void forgeManifest(SnapshotRef ref, String key) {
        Manifest manifest = new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_SNAPSHOT, ref.tenant(), ref.entity(),
                ref.dataVersion(), Tier.RAW.pathSegment(), null, "csv", List.of(new Manifest.DataFile(key, 1, null, null)),
                null, 1, List.of(),
                new Manifest.Producer("forger", "1", null, null, null, null, null), Instant.now(), List.of(), Map.of(), List.of(), null);
        s3.putObject(b -> b.bucket(bucket).key(StorageLayout.rawSnapshotManifestKey(ref)),
                RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
    }

    @Test
    void aManifestListingAnotherTenantsFileIsRefusedAndNotRemembered() {
        SnapshotRef ref = new SnapshotRef(tenant, "orders", "v-foreign");
        forgeManifest(ref, "other-tenant/orders/v1/raw/part-0.csv");

        assertThatThrownBy(() -> store.rawSnapshotCommitted(ref)).isInstanceOf(UnsafeManifestException.class)
                .hasMessageContaining("files[0].key 'other-tenant/orders/v1/raw/part-0.csv' lies outside");

        // Replaced by a proper one (only possible outside the contract): the refusal was not remembered.
        forgeManifest(ref, StorageLayout.rawSnapshotPrefix(ref) + "part-0.csv");
        assertThat(store.rawSnapshotCommitted(ref)).isTrue();
    }

    @Test
    void aManifestListingAGlobOrThatIsNoManifestIsRefused() {
        SnapshotRef glob = new SnapshotRef(tenant, "orders", "v-glob");
        forgeManifest(glob, StorageLayout.rawSnapshotPrefix(glob) + "*.csv");
        assertThatThrownBy(() -> store.rawSnapshotCommitted(glob)).hasMessageContaining("must not contain '*'");

        SnapshotRef garbage = new SnapshotRef(tenant, "orders", "v-garbage");
        s3.putObject(b -> b.bucket(bucket).key(StorageLayout.rawSnapshotManifestKey(garbage)), RequestBody.fromString("{}"));
        assertThatThrownBy(() -> store.rawSnapshotCommitted(garbage)).isInstanceOf(UnsafeManifestException.class)
                .hasMessageContaining("not a readable manifest");
    }

    @Test
    void aMissingVersionIsNotRememberedSoItIsSeenOnceCommitted() throws Exception {
        SnapshotRef ref = new SnapshotRef(tenant, "orders", "v-later");
        assertThat(store.rawSnapshotCommitted(ref)).isFalse();

        publish(ref);

        assertThat(store.rawSnapshotCommitted(ref)).isTrue();
    }

    @Test
    void aRememberedVersionNeverHidesAMissingOrMovedLatestPointer() throws Exception {
        SnapshotRef first = new SnapshotRef(tenant, "customers", "v1");
        publish(first);
        assertThat(store.latestVersion(tenant, "customers")).hasValue("v1");
        assertThat(store.rawSnapshotCommitted(first)).isTrue();

        SnapshotRef second = new SnapshotRef(tenant, "customers", "v2");
        publish(second);
        assertThat(store.latestVersion(tenant, "customers")).hasValue("v2");

        delete(StorageLayout.latestPointerKey(tenant, "customers"));
        assertThat(store.rawSnapshotCommitted(first)).isTrue();
        assertThat(store.latestVersion(tenant, "customers")).isEmpty();
    }
}
