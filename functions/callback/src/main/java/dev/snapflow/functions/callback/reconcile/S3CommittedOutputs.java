package dev.snapflow.functions.callback.reconcile;

import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.StorageLayout;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.net.URI;
import java.util.Optional;

/**
 * {@link CommittedOutputs} on the S3 API (AWS SDK v2, configured as validate's S3SnapshotStore: path-style
 * access whenever an endpoint is given). One HEAD per overdue attempt; nothing is cached, as the answer changes
 * from "no" to "yes" once the job commits.
 */
@Singleton
public class S3CommittedOutputs implements CommittedOutputs, AutoCloseable {
    private final S3Client s3;

    public S3CommittedOutputs(OutputStorageConfiguration settings) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .httpClient(UrlConnectionHttpClient.create());
        if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(settings.endpoint())).forcePathStyle(true);
        }
        if (settings.accessKey() != null && !settings.accessKey().isBlank()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        this.s3 = builder.build();
    }

    @Override
    public Optional<String> committedManifest(String outputPrefix) {
        S3Uri prefix = S3Uri.parse("outputPrefix", outputPrefix);
        String key = StorageLayout.manifestKeyIn(prefix.key());
        try {
            s3.headObject(b -> b.bucket(prefix.bucket()).key(key));
            return Optional.of("s3://" + prefix.bucket() + "/" + key);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @PreDestroy
    @Override
    public void close() {
        s3.close();
    }
}
