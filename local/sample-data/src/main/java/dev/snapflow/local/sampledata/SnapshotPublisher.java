package dev.snapflow.local.sampledata;

import dev.snapflow.contracts.storage.LatestPointer;
import dev.snapflow.contracts.storage.LatestPointerCodec;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.ManifestFiles;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Publishes a raw snapshot through the S3 API under storage contract v1, in the order that makes it atomic
 * for readers: the data files under {@code {tenant}/{entity}/{data_version}/raw/}, then the manifest (its
 * presence is the commit), then the {@code _latest.json} pointer, which only moves forward
 * ({@link LatestPointer#supersedes}). A data version whose manifest exists is never written again.
 */
public final class SnapshotPublisher {
    public static final String PRODUCER = "snapflow-sample-data";
    private static final String VERSION = "0.1.0";

    private final S3Client s3;
    private final String bucket;
    private final Clock clock;

    public SnapshotPublisher(S3Client s3, String bucket, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.clock = clock;
    }

    public SnapshotPublisher(S3Client s3, String bucket) {
        this(s3, bucket, Clock.systemUTC());
    }

    /**
     * Publishes local files as one raw snapshot. All files must have one format, known from their extension
     * ({@code .csv}, {@code .jsonl}/{@code .json}, {@code .parquet}). Row counts are left unknown.
     *
     * @throws SnapshotAlreadyCommittedException when the data version is already committed (nothing is written)
     * @throws dev.snapflow.contracts.storage.UnsafeManifestException when a file name would not be one plain key
     *         under the snapshot's prefix (a glob character, a colon, ...): nothing is written
     */
    public PublishedSnapshot publishFiles(SnapshotRef ref, List<Path> files) throws IOException {
        List<Long> unknownRows = new ArrayList<>();
        files.forEach(f -> unknownRows.add(null));
        return publish(ref, files, unknownRows);
    }

    /**
     * Generates orders into a temporary directory, publishes them and deletes the local copy. Row counts are
     * known and recorded in the manifest.
     */
    public PublishedSnapshot publishGenerated(SnapshotRef ref, OrdersSpec spec) throws IOException {
        requireNotCommitted(ref);
        Path dir = Files.createTempDirectory("snapflow-orders-");
        try {
            OrdersGenerator.GeneratedFiles generated = new OrdersGenerator(spec).writeFiles(dir);
            return publish(ref, generated.files(), generated.rowsPerFile());
        } finally {
            deleteRecursively(dir);
        }
    }

    private PublishedSnapshot publish(SnapshotRef ref, List<Path> files, List<Long> rowsPerFile) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a snapshot has at least one file");
        }
        String format = formatOf(files);
        requireNotCommitted(ref);
        String prefix = StorageLayout.rawSnapshotPrefix(ref);
        Set<String> names = new HashSet<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).getFileName().toString();
            if (!names.add(name) || name.equals(StorageLayout.MANIFEST_FILE)) {
                throw new IllegalArgumentException("file names in one snapshot must be unique and not "
                        + StorageLayout.MANIFEST_FILE + ": " + name);
            }
            // Every key is checked before the first byte is uploaded: a name a reader would glob (or that is not
            // one plain key under the snapshot's prefix) is refused with nothing written (UnsafeManifestException).
            keys.add(ManifestFiles.requireKeyUnder(prefix, "file " + files.get(i), prefix + name));
        }
        List<Manifest.DataFile> dataFiles = new ArrayList<>();
        long bytes = 0;
        Long rows = 0L;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            String key = keys.get(i);
            long size = Files.size(file);
            String sha256 = sha256(file);
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentLength(size).build(),
                    RequestBody.fromFile(file));
            Long fileRows = rowsPerFile.get(i);
            dataFiles.add(new Manifest.DataFile(key, size, fileRows, sha256));
            bytes += size;
            rows = rows == null || fileRows == null ? null : rows + fileRows;
        }
        Manifest manifest = new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_SNAPSHOT, ref.tenant(),
                ref.entity(), ref.dataVersion(), Tier.RAW.pathSegment(), null, format, dataFiles, rows, bytes,
                List.of(), new Manifest.Producer(PRODUCER, VERSION, null, null, null, null, null),
                clock.instant(), List.of(), Map.of(), List.of(), null);
        String manifestKey = StorageLayout.rawSnapshotManifestKey(ref);
        ManifestFiles.requireContained(manifestKey, manifest);
        putIfAbsent(manifestKey, ManifestCodec.toJson(manifest));
        writeLatestPointer(ref, manifest);
        return new PublishedSnapshot(ref, bucket, manifestKey, manifest);
    }

    private void requireNotCommitted(SnapshotRef ref) {
        String manifestKey = StorageLayout.rawSnapshotManifestKey(ref);
        if (exists(manifestKey)) {
            throw new SnapshotAlreadyCommittedException(bucket, manifestKey);
        }
    }

    /**
     * The existence check above covers the common case; If-None-Match closes the race between two publishers.
     * A refusal whose stored manifest is byte-for-byte ours means the SDK retried a write that had in fact
     * succeeded (the first response was lost), which is a success.
     */
    private void putIfAbsent(String key, byte[] body) {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).ifNoneMatch("*")
                    .contentType("application/json").build(), RequestBody.fromBytes(body));
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                byte[] stored = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asByteArray();
                if (java.util.Arrays.equals(stored, body)) {
                    return;
                }
                throw new SnapshotAlreadyCommittedException(bucket, key);
            }
            throw e;
        }
    }

    /**
     * Moves the pointer to this snapshot unless it already names a newer one. Read-then-write: two publishers
     * racing on one entity may both write, and the later write wins; the control plane re-reads the pointer.
     */
    private void writeLatestPointer(SnapshotRef ref, Manifest manifest) {
        String key = StorageLayout.latestPointerKey(ref.tenant(), ref.entity());
        LatestPointer pointer = LatestPointer.of(manifest);
        LatestPointer current = null;
        try {
            current = LatestPointerCodec.fromJson(s3.getObjectAsBytes(
                    GetObjectRequest.builder().bucket(bucket).key(key).build()).asByteArray());
        } catch (NoSuchKeyException e) {
            // first snapshot of this entity
        } catch (IllegalArgumentException e) {
            // an unreadable pointer is replaced by a valid one
        }
        if (pointer.supersedes(current)) {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/json").build(),
                    RequestBody.fromBytes(LatestPointerCodec.toJson(pointer)));
        }
    }

    private boolean exists(String key) {
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    static String formatOf(List<Path> files) {
        String format = null;
        for (Path file : files) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            String f;
            if (name.endsWith(".csv")) {
                f = "csv";
            } else if (name.endsWith(".jsonl") || name.endsWith(".json")) {
                f = "jsonl";
            } else if (name.endsWith(".parquet")) {
                f = "parquet";
            } else {
                throw new IllegalArgumentException("cannot tell the format of " + file.getFileName()
                        + ": use .csv, .jsonl (or .json) or .parquet");
            }
            if (format != null && !format.equals(f)) {
                throw new IllegalArgumentException("all files of a snapshot have one format; found " + format + " and " + f);
            }
            format = f;
        }
        return format;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
