package dev.snapflow.functions.validate.storage;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotBlank;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.net.URI;

/**
 * Object storage of snapshots (env SNAPFLOW_S3_ENDPOINT, SNAPFLOW_S3_REGION, SNAPFLOW_S3_BUCKET,
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). Without an endpoint the AWS default endpoint is used; path-style
 * access is used whenever an endpoint is given (S3Proxy, MinIO, Ceph).
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.s3")
public record S3Configuration(
        @Nullable String endpoint,
        @Bindable(defaultValue = "us-east-1") @NotBlank String region,
        @NotBlank(message = "snapflow.s3.bucket (env SNAPFLOW_S3_BUCKET) must be set") String bucket,
        @Nullable String accessKey,
        @Nullable String secretKey) {

    /** A client for this storage; validate's stores each hold one and close it with themselves. */
    public S3Client newClient() {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(region))
                .httpClient(UrlConnectionHttpClient.create());
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
        }
        if (accessKey != null && !accessKey.isBlank()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    /** Secrets print as ****: this record may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return dev.snapflow.functions.shared.security.SecretMasking.toString(this);
    }
}
