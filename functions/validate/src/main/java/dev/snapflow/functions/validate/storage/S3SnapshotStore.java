package dev.snapflow.functions.validate.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.snapflow.contracts.storage.LatestPointerCodec;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.ManifestFiles;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.UnsafeManifestException;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;
import java.util.Optional;

/**
 * {@link SnapshotStore} on the S3 API (AWS SDK v2).
 *
 * <p>The manifest is read (one GET) and its file keys checked against the data-isolation rule
 * ({@link ManifestFiles}): a tenant's manifest that lists another tenant's file or a glob is refused before any
 * process is accepted. A committed raw manifest is write-once and never replaced (docs/storage-contract.md), so
 * once a GET has found it safe, the answer stays true: it is remembered (bounded, and forgotten after a while so
 * that a retention clean-up is noticed eventually) and repeated submissions for one version cost no request to
 * storage. A missing or refused manifest is never remembered (a missing one may be committed a moment later), and
 * neither is the mutable {@code _latest.json} pointer, which is read on every request for {@code latest}.
 */
@Singleton
public class S3SnapshotStore implements SnapshotStore, AutoCloseable {
    static final int REMEMBERED_VERSIONS = 10_000;
    static final Duration REMEMBERED_FOR = Duration.ofMinutes(10);

    private final S3Client s3;
    private final String bucket;
    private final Cache<SnapshotRef, Boolean> committed = Caffeine.newBuilder()
            .maximumSize(REMEMBERED_VERSIONS).expireAfterWrite(REMEMBERED_FOR).build();
    private final Cache<String, Manifest> outputs = Caffeine.newBuilder()
            .maximumSize(REMEMBERED_VERSIONS).expireAfterWrite(REMEMBERED_FOR).build();

    public S3SnapshotStore(S3Configuration config) {
        this.s3 = config.newClient();
        this.bucket = config.bucket();
    }

    @Override
    public boolean rawSnapshotCommitted(SnapshotRef ref) {
        if (committed.getIfPresent(ref) != null) {
            return true;
        }
        String key = StorageLayout.rawSnapshotManifestKey(ref);
        try {
            byte[] manifest = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            requireSafe(key, manifest);
            committed.put(ref, Boolean.TRUE);
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

    private static void requireSafe(String key, byte[] json) {
        Manifest manifest;
        try {
            manifest = ManifestCodec.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new UnsafeManifestException("manifest", "at '" + key + "' is not a readable manifest: " + e.getMessage());
        }
        ManifestFiles.requireContained(key, manifest);
    }

    @Override
    public Optional<String> latestVersion(String tenant, String entity) {
        ResponseBytes<GetObjectResponse> bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(StorageLayout.latestPointerKey(tenant, entity)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            return Optional.of(LatestPointerCodec.fromJson(bytes.asByteArray()).dataVersion());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the latest pointer of " + tenant + "/" + entity + " is invalid: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Manifest> committedOutput(String uri) {
        String prefix = "s3://" + bucket + "/";
        if (uri == null || !uri.startsWith(prefix)) {
            return Optional.empty();
        }
        Manifest known = outputs.getIfPresent(uri);
        if (known != null) {
            return Optional.of(known);
        }
        try {
            Manifest manifest = ManifestCodec.fromJson(s3.getObjectAsBytes(b -> b.bucket(bucket)
                    .key(uri.substring(prefix.length()))).asByteArray());
            outputs.put(uri, manifest);
            return Optional.of(manifest);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @PreDestroy
    @Override
    public void close() {
        s3.close();
    }
}
