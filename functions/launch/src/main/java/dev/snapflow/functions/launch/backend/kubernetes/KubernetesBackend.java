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
import java.util.ArrayList;
import java.util.List;

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

    public KubernetesBackend(KubernetesClient client, KubernetesSettings settings) {
        this.client = client;
        this.settings = settings;
        this.spec = new DriverJobSpec(settings);
    }

    @Override
    public LaunchOutcome launch(JobLaunch launch) {
        JobId jobId = launch.jobId();
        String name = DriverJobSpec.jobName(jobId);
        JobRef ref = new JobRef(jobId, BACKEND, settings.namespace() + "/" + name);
        Job job = jobs().withName(name).get();
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
        jobs().withName(name).edit(suspended -> {
            suspended.getSpec().setSuspend(false);
            return suspended;
        });
        if (!createdNow) {
            LOG.info("resumed Job {} that an earlier launch left suspended", ref.location());
        }
        return new LaunchOutcome.Launched(ref);
    }

    /** Deletes the process's Jobs in the foreground: pods first, then the Secret and Service they own. */
    @Override
    public CancelOutcome cancelProcess(String processId) {
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
