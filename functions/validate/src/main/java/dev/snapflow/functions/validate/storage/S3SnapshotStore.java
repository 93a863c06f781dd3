package dev.snapflow.functions.validate.storage;

import dev.snapflow.contracts.storage.LatestPointerCodec;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.util.Optional;

/** {@link SnapshotStore} on the S3 API (AWS SDK v2). */
@Singleton
public class S3SnapshotStore implements SnapshotStore, AutoCloseable {
    private final S3Client s3;
    private final String bucket;

    public S3SnapshotStore(S3Configuration config) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .httpClient(UrlConnectionHttpClient.create());
        if (config.endpoint() != null && !config.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(config.endpoint())).forcePathStyle(true);
        }
        if (config.accessKey() != null && !config.accessKey().isBlank()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKey(), config.secretKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        this.s3 = builder.build();
        this.bucket = config.bucket();
    }

    @Override
    public boolean rawSnapshotCommitted(SnapshotRef ref) {
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(StorageLayout.rawSnapshotManifestKey(ref)).build());
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
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @PreDestroy
    @Override
    public void close() {
        s3.close();
    }
}
