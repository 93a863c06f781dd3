package dev.snapflow.functions.enqueue;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import java.time.Duration;

/**
 * @param callbackUrl               public base URL of the callback function, e.g. https://callback.example
 *                                  (SNAPFLOW_CALLBACK_URL); jobs post to {@code {callbackUrl}/v1/jobs/{jobId}/status}
 * @param bucket                    bucket of snapshots and outputs (SNAPFLOW_S3_BUCKET)
 * @param defaultTenantConcurrency  jobs a tenant may run at once unless the tenant row says otherwise
 *                                  (SNAPFLOW_TENANT_DEFAULT_CONCURRENCY)
 * @param launchDeadline            how long launch has to answer a job request (job.launched) before callback's
 *                                  reconciler looks into the attempt (SNAPFLOW_LAUNCH_DEADLINE)
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.enqueue")
public record EnqueueConfiguration(
        @NotBlank(message = "snapflow.enqueue.callback-url (env SNAPFLOW_CALLBACK_URL) must be set")
        @Pattern(regexp = "https?://[^/]+.*", message = "snapflow.enqueue.callback-url (env SNAPFLOW_CALLBACK_URL) must be an http(s) URL")
        String callbackUrl,
        @NotBlank(message = "snapflow.enqueue.bucket (env SNAPFLOW_S3_BUCKET) must be set") String bucket,
        @Bindable(defaultValue = "4") @Min(value = 1, message = "SNAPFLOW_TENANT_DEFAULT_CONCURRENCY must be 1 or more")
        int defaultTenantConcurrency,
        @Bindable(defaultValue = "5m") Duration launchDeadline) {

    public EnqueueConfiguration {
        if (launchDeadline == null || launchDeadline.isNegative() || launchDeadline.isZero()) {
            throw new IllegalArgumentException("snapflow.enqueue.launch-deadline (env SNAPFLOW_LAUNCH_DEADLINE) must be a positive duration");
        }
    }

    public String statusUrl(String jobId) {
        String base = callbackUrl.endsWith("/") ? callbackUrl.substring(0, callbackUrl.length() - 1) : callbackUrl;
        return base + "/v1/jobs/" + jobId + "/status";
    }
}
