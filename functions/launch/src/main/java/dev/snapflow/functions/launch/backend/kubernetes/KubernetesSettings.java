package dev.snapflow.functions.launch.backend.kubernetes;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the Kubernetes backend runs jobs.
 *
 * @param namespace           namespace of the jobs (launch watches only this one)
 * @param serviceAccount      the drivers' service account (may create executor pods; see the README)
 * @param applicationJar      the job jar inside the image as spark-submit takes it, e.g. {@code local:///opt/snapflow/spark-jobs.jar}
 * @param sparkSubmit         spark-submit inside the image
 * @param ttlAfterFinished    how long a finished Job (and its pods, Secret, Service) is kept for inspection
 * @param imagePullPolicy     Always, IfNotPresent or Never
 * @param s3CredentialsSecret an existing Secret with keys {@code access-key} and {@code secret-key}, given to
 *                            driver and executors as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; empty: none
 *                            (e.g. when the nodes' identity grants S3 access)
 * @param jobEnvironment      plain values added to the driver's and executors' environment (S3 endpoint, region)
 */
public record KubernetesSettings(String namespace, String serviceAccount, String applicationJar, String sparkSubmit,
                                 Duration ttlAfterFinished, String imagePullPolicy,
                                 Optional<String> s3CredentialsSecret, Map<String, String> jobEnvironment) {
    public KubernetesSettings {
        requireText("namespace", namespace);
        requireText("serviceAccount", serviceAccount);
        requireText("applicationJar", applicationJar);
        requireText("sparkSubmit", sparkSubmit);
        Objects.requireNonNull(ttlAfterFinished, "ttlAfterFinished");
        requireText("imagePullPolicy", imagePullPolicy);
        s3CredentialsSecret = s3CredentialsSecret.filter(name -> !name.isBlank());
        jobEnvironment = Map.copyOf(jobEnvironment);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
    }
}
