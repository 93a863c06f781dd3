package dev.snapflow.functions.validate.storage;

import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

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
