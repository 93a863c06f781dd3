package dev.snapflow.functions.launch.backend.kubernetes;

import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.functions.launch.backend.CancelOutcome;
import dev.snapflow.functions.launch.backend.JobBackend;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.JobRef;
import dev.snapflow.functions.launch.backend.LaunchOutcome;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs each job as a batch/v1 Job whose pod is the Spark driver (client mode, executors as pods it creates).
 *
 * <p>Idempotent by job id: the Job is named after it, so a second launch finds it (or gets 409 Conflict from
 * the API server when another launch instance created it a moment earlier) and starts nothing. The Job is
 * created suspended and only resumed once its token Secret and driver Service exist; a launch that died
 * half-way leaves a suspended Job that the next delivery of the same message completes.
 */
public final class KubernetesBackend implements JobBackend {
    public static final String BACKEND = "kubernetes";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesBackend.class);
    private static final int UNPROCESSABLE = 422;

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final DriverJobSpec spec;
    private final KubernetesCancelTombstones tombstones;

    public KubernetesBackend(KubernetesClient client, KubernetesSettings settings) {
        this.client = client;
        this.settings = settings;
        this.spec = new DriverJobSpec(settings);
        this.tombstones = new KubernetesCancelTombstones(client, settings.namespace());
    }

    @Override
    public LaunchOutcome launch(JobLaunch launch) {
        JobId jobId = launch.jobId();
        String name = DriverJobSpec.jobName(jobId);
        JobRef ref = new JobRef(jobId, BACKEND, settings.namespace() + "/" + name);
        Job job = jobs().withName(name).get();
        if (job == null && tombstones.cancelled(launch.arguments().processId())) {
            return new LaunchOutcome.Cancelled("process " + launch.arguments().processId()
                    + " was cancelled before its job request arrived");
        }
        boolean createdNow = false;
        if (job == null) {
            try {
                job = jobs().resource(spec.job(launch)).create();
                createdNow = true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                    job = jobs().withName(name).get();
                } else if (e.getCode() == UNPROCESSABLE) {
                    return new LaunchOutcome.Rejected("the API server refused Job " + name + ": " + e.getMessage());
                } else {
                    throw e;
                }
            }
        }
        if (job == null) {
            throw new IllegalStateException("Job " + ref.location() + " was reported to exist but cannot be read");
        }
        if (!createdNow) {
            Optional<String> ended = ended(job);
            if (ended.isPresent()) {
                return new LaunchOutcome.Ended(ref, ended.get());
            }
        }
        if (!Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            return new LaunchOutcome.AlreadyRunning(ref);
        }
        try {
            createOwned(spec.tokenSecret(launch, job));
            createOwned(spec.driverService(launch, job));
        } catch (KubernetesClientException e) {
            if (e.getCode() == UNPROCESSABLE) {
                return new LaunchOutcome.Rejected("the API server refused an object of Job " + name + ": " + e.getMessage());
            }
            throw e;
        }
        // Checked again right before the Job may run: a cancel that came while it was being created found no
        // Job to stop, but left its tombstone.
        if (tombstones.cancelled(launch.arguments().processId())) {
            jobs().withName(name).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
            return new LaunchOutcome.Cancelled("process " + launch.arguments().processId()
                    + " was cancelled while its job was being created");
        }
        jobs().withName(name).edit(suspended -> {
            suspended.getSpec().setSuspend(false);
            return suspended;
        });
        if (!createdNow) {
            LOG.info("resumed Job {} that an earlier launch left suspended", ref.location());
        }
        return new LaunchOutcome.Launched(ref);
    }

    /**
     * The truth about a job seen running, from its Job (never creates one): running while the Job is neither
     * finished nor being deleted; ended once it finished; gone when the Job no longer exists (deleted after
     * {@code ttlSecondsAfterFinished}, or by hand).
     */
    @Override
    public LaunchOutcome probe(JobLaunch launch) {
        JobId jobId = launch.jobId();
        String name = DriverJobSpec.jobName(jobId);
        JobRef ref = new JobRef(jobId, BACKEND, settings.namespace() + "/" + name);
        Job job = jobs().withName(name).get();
        if (job == null) {
            return new LaunchOutcome.Ended(ref, "is gone (no Job " + ref.location() + ")");
        }
        return ended(job).<LaunchOutcome>map(what -> new LaunchOutcome.Ended(ref, what))
                .orElseGet(() -> new LaunchOutcome.AlreadyRunning(ref));
    }

    /** How the Job ended, when it did: finished (Complete or Failed) or being deleted. */
    private static Optional<String> ended(Job job) {
        if (job.getMetadata().getDeletionTimestamp() != null) {
            return Optional.of("is being deleted (Job " + job.getMetadata().getName() + ")");
        }
        if (finished(job)) {
            String condition = job.getStatus().getConditions().stream()
                    .filter(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))
                    .map(c -> c.getType() + (c.getReason() == null ? "" : " (" + c.getReason() + ")"))
                    .findFirst().orElse("finished");
            return Optional.of("ended: Job " + job.getMetadata().getName() + " " + condition);
        }
        return Optional.empty();
    }

    /**
     * Deletes the process's Jobs in the foreground: pods first, then the Secret and Service they own. First of
     * all records the cancel (a tombstone ConfigMap), so that a job request of this process that arrives later
     * (other topic, other order) starts nothing.
     */
    @Override
    public CancelOutcome cancelProcess(String processId) {
        tombstones.record(processId);
        tombstones.prune(Instant.now());
        List<JobId> stopped = new ArrayList<>();
        for (Job job : jobs()
                .withLabel(SnapflowLabels.MANAGED_BY, SnapflowLabels.MANAGER)
                .withLabel(SnapflowLabels.PROCESS, processId)
                .list().getItems()) {
            if (job.getMetadata().getDeletionTimestamp() != null || finished(job)) {
                continue;
            }
            jobs().withName(job.getMetadata().getName())
                    .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                    .delete();
            stopped.add(new JobId(job.getMetadata().getName()));
        }
        return new CancelOutcome(stopped);
    }

    static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream().anyMatch(condition ->
                ("Complete".equals(condition.getType()) || "Failed".equals(condition.getType()))
                        && "True".equals(condition.getStatus()));
    }

    private void createOwned(HasMetadata object) {
        try {
            client.resource(object).inNamespace(settings.namespace()).create();
        } catch (KubernetesClientException e) {
            // A launch that died half-way created it already; its content is the same (the token is derived).
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
    }

    private NonNamespaceOperation<Job, JobList, ScalableResource<Job>> jobs() {
        return client.batch().v1().jobs().inNamespace(settings.namespace());
    }
}
