package dev.snapflow.functions.launch.backend.kubernetes;

import dev.snapflow.contracts.jobs.JobId;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The processes launch was told to cancel, one empty ConfigMap per process in the job namespace (the Kubernetes
 * counterpart of the local backend's tombstone files): process.cancelled and job.requested travel separately, so
 * a cancel can reach launch before the request of a job it should have stopped. A request of a process found
 * here starts no Job. They live in the cluster, so every launch replica sees them and they outlive restarts; they
 * are removed after {@link #RETENTION}, far longer than any redelivery of a request.
 */
final class KubernetesCancelTombstones {
    static final Duration RETENTION = Duration.ofDays(7);
    static final String ROLE = "cancel-tombstone";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesCancelTombstones.class);

    private final KubernetesClient client;
    private final String namespace;

    KubernetesCancelTombstones(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    void record(String processId) {
        ConfigMap tombstone = new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(name(processId))
                    .addToLabels(SnapflowLabels.MANAGED_BY, SnapflowLabels.MANAGER)
                    .addToLabels(SnapflowLabels.PROCESS, processId)
                    .addToLabels(SnapflowLabels.ROLE, ROLE)
                .endMetadata()
                .build();
        try {
            client.configMaps().inNamespace(namespace).resource(tombstone).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e; // the cancel is redelivered: no job of the process may start unrecorded
            }
        }
    }

    boolean cancelled(String processId) {
        return client.configMaps().inNamespace(namespace).withName(name(processId)).get() != null;
    }

    /** Removes tombstones older than the retention; a failure is only logged (the next cancel tries again). */
    void prune(Instant now) {
        try {
            for (ConfigMap tombstone : client.configMaps().inNamespace(namespace)
                    .withLabel(SnapflowLabels.MANAGED_BY, SnapflowLabels.MANAGER)
                    .withLabel(SnapflowLabels.ROLE, ROLE)
                    .list().getItems()) {
                String created = tombstone.getMetadata().getCreationTimestamp();
                if (created != null && OffsetDateTime.parse(created).toInstant().isBefore(now.minus(RETENTION))) {
                    client.configMaps().inNamespace(namespace).withName(tombstone.getMetadata().getName()).delete();
                }
            }
        } catch (KubernetesClientException e) {
            LOG.warn("cannot prune cancel tombstones in {}", namespace, e);
        }
    }

    /** {@code sf-cancelled-<process id without dashes>}, built as job ids are (which also checks it is one). */
    static String name(String processId) {
        String firstJob = JobId.of(processId, 1, 1).value();
        return firstJob.substring(0, firstJob.length() - "-s1-a1".length()).replaceFirst("^sf-", "sf-cancelled-");
    }
}
