package dev.snapflow.functions.validate.storage;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotBlank;

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

    /** Secrets print as ****: this record may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return dev.snapflow.functions.shared.security.SecretMasking.toString(this);
    }
}
