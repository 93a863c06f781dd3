package dev.snapflow.functions.launch.backend.kubernetes;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how the Kubernetes backend runs jobs.
 *
 * @param namespace           namespace of the jobs (launch watches only this one)
 * @param serviceAccount      the drivers' service account (may create executor pods; see the README)
 * @param applicationJar      the job jar inside the image as spark-submit takes it, e.g. {@code local:///opt/snapflow/spark-jobs.jar}
 * @param sparkSubmit         spark-submit inside the image
 * @param ttlAfterFinished    how long a finished Job (and its pods, Secret, Service) is kept for inspection
 * @param imagePullPolicy     Always, IfNotPresent or Never
 * @param jobEnvironment      plain values added to the driver's and executors' environment (S3 endpoint, region)
 * @param jobSecrets          secret values for the driver's and executors' environment (S3 keys): they go into
 *                            the job's own Secret, never into the pod spec; empty when the pods' identity grants
 *                            S3 access
 */
public record KubernetesSettings(String namespace, String serviceAccount, String applicationJar, String sparkSubmit,
                                 Duration ttlAfterFinished, String imagePullPolicy,
                                 Map<String, String> jobEnvironment, Map<String, String> jobSecrets) {
    public KubernetesSettings {
        requireText("namespace", namespace);
        requireText("serviceAccount", serviceAccount);
        requireText("applicationJar", applicationJar);
        requireText("sparkSubmit", sparkSubmit);
        Objects.requireNonNull(ttlAfterFinished, "ttlAfterFinished");
        requireText("imagePullPolicy", imagePullPolicy);
        jobEnvironment = Map.copyOf(jobEnvironment);
        jobSecrets = Map.copyOf(jobSecrets);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
    }

    /** Secrets print as ****: this record may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return dev.snapflow.functions.shared.security.SecretMasking.toString(this);
    }
}
