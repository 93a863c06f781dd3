package dev.snapflow.functions.launch.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.time.Duration;

/**
 * The Kubernetes backend ({@code snapflow.launch.kubernetes}), used when SNAPFLOW_LAUNCH_BACKEND=kubernetes.
 * The API server and credentials come from the pod's service account (or ~/.kube/config outside a cluster).
 *
 * @param namespace         env SNAPFLOW_K8S_NAMESPACE: where jobs run
 * @param serviceAccount    env SNAPFLOW_K8S_SERVICE_ACCOUNT: the Spark drivers' service account
 * @param applicationJar    env SNAPFLOW_K8S_APPLICATION_JAR: the job jar inside the job image
 * @param sparkSubmit       env SNAPFLOW_K8S_SPARK_SUBMIT: spark-submit inside the job image
 * @param ttlAfterFinished  env SNAPFLOW_K8S_JOB_TTL: how long finished Jobs are kept
 * @param imagePullPolicy   env SNAPFLOW_K8S_IMAGE_PULL_POLICY
 * @param watchResync       how often the watcher re-examines every Job (retries reports that could not be sent)
 * @param watchStartTimeout how long startup waits for the first list of Jobs and pods
 */
@ConfigurationProperties("snapflow.launch.kubernetes")
public record KubernetesBackendConfiguration(
        @NotBlank(message = "snapflow.launch.kubernetes.namespace (env SNAPFLOW_K8S_NAMESPACE) must be set") String namespace,
        @NotBlank(message = "snapflow.launch.kubernetes.service-account (env SNAPFLOW_K8S_SERVICE_ACCOUNT) must be set") String serviceAccount,
        @NotBlank(message = "snapflow.launch.kubernetes.application-jar (env SNAPFLOW_K8S_APPLICATION_JAR) must be set") String applicationJar,
        @NotBlank(message = "snapflow.launch.kubernetes.spark-submit (env SNAPFLOW_K8S_SPARK_SUBMIT) must be set") String sparkSubmit,
        @NotNull Duration ttlAfterFinished,
        @Pattern(regexp = "Always|IfNotPresent|Never",
                message = "snapflow.launch.kubernetes.image-pull-policy (env SNAPFLOW_K8S_IMAGE_PULL_POLICY) must be Always, IfNotPresent or Never")
        String imagePullPolicy,
        @NotNull Duration watchResync,
        @NotNull Duration watchStartTimeout) {
}
