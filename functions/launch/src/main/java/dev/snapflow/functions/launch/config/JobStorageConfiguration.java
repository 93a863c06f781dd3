package dev.snapflow.functions.launch.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.NotBlank;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The object storage settings launch hands to every job, in the variables the job reads (spark-jobs' S3Settings).
 *
 * @param endpoint  env SNAPFLOW_S3_ENDPOINT; empty for AWS S3
 * @param region    env SNAPFLOW_S3_REGION
 * @param accessKey env AWS_ACCESS_KEY_ID; empty when the jobs' own identity grants access
 * @param secretKey env AWS_SECRET_ACCESS_KEY
 */
@ConfigurationProperties("snapflow.launch.s3")
public record JobStorageConfiguration(
        @Nullable String endpoint,
        @NotBlank(message = "snapflow.launch.s3.region (env SNAPFLOW_S3_REGION) must be set") String region,
        @Nullable String accessKey,
        @Nullable String secretKey) {

    public JobStorageConfiguration {
        if (isBlank(accessKey) != isBlank(secretKey)) {
            throw new IllegalArgumentException(
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (snapflow.launch.s3.access-key/secret-key) are set together or not at all");
        }
    }

    /** Plain settings: fine to show in a pod spec. */
    public Map<String, String> plainEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (!isBlank(endpoint)) {
            env.put("SNAPFLOW_S3_ENDPOINT", endpoint);
        }
        env.put("SNAPFLOW_S3_REGION", region);
        return env;
    }

    /** Credentials: only ever in a Secret (Kubernetes) or the child's environment (local). */
    public Map<String, String> secretEnvironment() {
        return isBlank(accessKey) ? Map.of()
                : Map.of("AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** Secrets print as ****: this record may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return dev.snapflow.functions.shared.security.SecretMasking.toString(this);
    }
}
