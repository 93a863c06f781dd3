package dev.snapflow.functions.callback.reconcile;

import dev.snapflow.functions.shared.security.SecretMasking;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotBlank;

/**
 * Object storage of outputs, read by the reconciler (env SNAPFLOW_S3_ENDPOINT, SNAPFLOW_S3_REGION,
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), the same settings as validate's and launch's. Without an endpoint
 * the AWS default endpoint is used; path-style access whenever an endpoint is given (S3Proxy, MinIO, Ceph).
 */
// Eager, so an invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.s3")
public record OutputStorageConfiguration(
        @Nullable String endpoint,
        @Bindable(defaultValue = "us-east-1") @NotBlank String region,
        @Nullable String accessKey,
        @Nullable String secretKey) {

    /** Secrets print as ****: this record may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return SecretMasking.toString(this);
    }
}
