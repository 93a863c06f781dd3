package dev.snapflow.local.sampledata;

import dev.snapflow.contracts.storage.LatestPointer;
import dev.snapflow.contracts.storage.LatestPointerCodec;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LocalStackExtension.class)
class SnapshotPublisherTest {
    private static S3Client s3;
    private static String bucket;

    @BeforeAll
    static void setUp(LocalStack stack) {
        s3 = stack.s3().newClient();
        bucket = stack.s3().bucket();
    }

    @AfterAll
    static void tearDown() {
        s3.close();
    }

    @Test
    void publishesTheFilesThenTheManifestThenMovesTheLatestPointer(@TempDir Path dir) throws Exception {
        SnapshotRef ref = newRef();
        OrdersGenerator.GeneratedFiles generated = new OrdersGenerator(new OrdersSpec(5, 500, 3)).writeFiles(dir);

        PublishedSnapshot published = new SnapshotPublisher(s3, bucket).publishFiles(ref, generated.files());

        Manifest manifest = ManifestCodec.fromJson(read(StorageLayout.rawSnapshotManifestKey(ref)));
        assertThat(manifest).isEqualTo(published.manifest());
        assertThat(manifest.kind()).isEqualTo(Manifest.KIND_SNAPSHOT);
        assertThat(manifest.tier()).isEqualTo("raw");
        assertThat(manifest.format()).isEqualTo("csv");
        assertThat(manifest.rowCount()).isNull();
        assertThat(manifest.files()).hasSize(3);
        long total = 0;
        for (int i = 0; i < 3; i++) {
            Manifest.DataFile file = manifest.files().get(i);
            byte[] stored = read(file.key());
            assertThat(file.key()).isEqualTo(StorageLayout.rawSnapshotPrefix(ref) + generated.files().get(i).getFileName());
            assertThat(stored).isEqualTo(Files.readAllBytes(generated.files().get(i)));
            assertThat(file.bytes()).isEqualTo(stored.length);
            assertThat(file.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)));
            total += stored.length;
        }
        assertThat(manifest.bytes()).isEqualTo(total);
        LatestPointer pointer = LatestPointerCodec.fromJson(read(StorageLayout.latestPointerKey(ref.tenant(), ref.entity())));
        assertThat(pointer.dataVersion()).isEqualTo(ref.dataVersion());
        assertThat(published.manifestUri().toString()).isEqualTo("s3://" + bucket + "/" + StorageLayout.rawSnapshotManifestKey(ref));
    }

    @Test
    void generatedSnapshotsRecordRowCountsPerFile() throws IOException {
        SnapshotRef ref = newRef();
        PublishedSnapshot published = new SnapshotPublisher(s3, bucket).publishGenerated(ref, new OrdersSpec(9, 1_000, 4));
        assertThat(published.manifest().rowCount()).isEqualTo(1_000);
        assertThat(published.manifest().files()).extracting(Manifest.DataFile::rows).containsExactly(250L, 250L, 250L, 250L);
    }

    @Test
    void aCommittedSnapshotIsNeverOverwritten(@TempDir Path dir) throws IOException {
        SnapshotRef ref = newRef();
        SnapshotPublisher publisher = new SnapshotPublisher(s3, bucket);
        publisher.publishGenerated(ref, new OrdersSpec(1, 100, 1));
        List<S3Object> before = list(StorageLayout.rawSnapshotPrefix(ref));
        byte[] manifestBefore = read(StorageLayout.rawSnapshotManifestKey(ref));
        Path other = Files.writeString(dir.resolve("orders-00000.csv"), "order_id\nX\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> publisher.publishFiles(ref, List.of(other)))
                .isInstanceOf(SnapshotAlreadyCommittedException.class)
                .hasMessageContaining(StorageLayout.rawSnapshotManifestKey(ref));

        assertThat(list(StorageLayout.rawSnapshotPrefix(ref))).extracting(S3Object::eTag)
                .containsExactlyElementsOf(before.stream().map(S3Object::eTag).toList());
        assertThat(read(StorageLayout.rawSnapshotManifestKey(ref))).isEqualTo(manifestBefore);
    }

    @Test
    void theLatestPointerNeverMovesBackToAnOlderSnapshot() throws IOException {
        String entity = "orders-" + UUID.randomUUID().toString().substring(0, 6);
        SnapshotRef newer = new SnapshotRef("acme", entity, "v2");
        SnapshotRef older = new SnapshotRef("acme", entity, "v1");
        Instant now = Instant.parse("2026-11-21T10:00:00Z");
        new SnapshotPublisher(s3, bucket, Clock.fixed(now, ZoneOffset.UTC)).publishGenerated(newer, new OrdersSpec(1, 10, 1));
        new SnapshotPublisher(s3, bucket, Clock.fixed(now.minusSeconds(3600), ZoneOffset.UTC))
                .publishGenerated(older, new OrdersSpec(1, 10, 1));

        LatestPointer pointer = LatestPointerCodec.fromJson(read(StorageLayout.latestPointerKey("acme", entity)));
        assertThat(pointer.dataVersion()).isEqualTo("v2");
    }

    @Test
    void filesOfMixedOrUnknownFormatsAreRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        SnapshotRef ref = newRef();
        Path csv = Files.writeString(dir.resolve("a.csv"), "x\n1\n");
        Path jsonl = Files.writeString(dir.resolve("b.jsonl"), "{\"x\":1}\n");
        Path txt = Files.writeString(dir.resolve("c.txt"), "x");
        SnapshotPublisher publisher = new SnapshotPublisher(s3, bucket);

        assertThatThrownBy(() -> publisher.publishFiles(ref, List.of(csv, jsonl))).hasMessageContaining("one format");
        assertThatThrownBy(() -> publisher.publishFiles(ref, List.of(txt))).hasMessageContaining("c.txt");
        assertThat(list(StorageLayout.versionPrefix(ref))).isEmpty();
    }

    @Test
    void aFileNameThatWouldBeAGlobIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        SnapshotRef ref = newRef();
        Path good = Files.writeString(dir.resolve("a.csv"), "x\n1\n");
        Path glob = Files.writeString(dir.resolve("part-*.csv"), "x\n2\n");
        Path colon = Files.writeString(dir.resolve("s3a:x.csv"), "x\n3\n");
        SnapshotPublisher publisher = new SnapshotPublisher(s3, bucket);

        assertThatThrownBy(() -> publisher.publishFiles(ref, List.of(good, glob)))
                .isInstanceOf(dev.snapflow.contracts.storage.UnsafeManifestException.class)
                .hasMessageContaining("part-*.csv").hasMessageContaining("must not contain '*'");
        assertThatThrownBy(() -> publisher.publishFiles(ref, List.of(colon))).hasMessageContaining("must not contain ':'");
        assertThat(list(StorageLayout.versionPrefix(ref))).isEmpty();
    }

    private static SnapshotRef newRef() {
        return new SnapshotRef("acme", "orders", "v-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static byte[] read(String key) {
        return s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asByteArray();
    }

    private static List<S3Object> list(String prefix) {
        return s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build()).contents();
    }
}
