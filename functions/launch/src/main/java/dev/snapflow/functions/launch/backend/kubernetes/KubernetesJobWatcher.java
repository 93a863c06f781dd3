package dev.snapflow.functions.launch.backend.kubernetes;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobExitCodes;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.functions.launch.backend.JobStatusSink;
import dev.snapflow.functions.launch.backend.ObservedFailure;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Turns what Kubernetes knows about a job and its driver pod into a job.status FAILED report when the job
 * cannot report itself: killed for memory (OOMKilled) or evicted, an image that cannot be pulled, the Job's
 * deadline. Watches (informers on) the Jobs and driver pods labelled managed-by=snapflow in its namespace.
 *
 * <p>After a report the Job is annotated {@value SnapflowLabels#REPORTED}; annotated Jobs are skipped, so a
 * restarted watcher, which starts from a fresh list, does not report them again. A report that could not be
 * published is retried at the next resync. The callback ignores a second terminal report of an attempt anyway.
 */
public final class KubernetesJobWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesJobWatcher.class);
    private static final Set<String> CANNOT_START = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");

    private final KubernetesClient client;
    private final String namespace;
    private final JobStatusSink sink;
    private final Duration resync;
    /** How long a failed Job's report waits for its driver pod's final status (the next resync reports it after). */
    static final Duration DRIVER_STATUS_GRACE = Duration.ofSeconds(10);
    private final Map<String, Instant> failureFirstSeen = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    /** Serialises examinations (job and pod events arrive on different threads); never held while stopping. */
    private final Object examining = new Object();
    private volatile SharedIndexInformer<Job> jobInformer;
    private volatile SharedIndexInformer<Pod> podInformer;

    public KubernetesJobWatcher(KubernetesClient client, String namespace, JobStatusSink sink, Duration resync) {
        this.client = client;
        this.namespace = namespace;
        this.sink = sink;
        this.resync = resync;
    }

    /**
     * Lists, then watches; returns once both caches hold the current state.
     *
     * @throws IllegalStateException when the API server cannot be listed within {@code startTimeout}
     */
    public synchronized void start(Duration startTimeout) {
        if (jobInformer != null) {
            return;
        }
        jobInformer = client.batch().v1().jobs().inNamespace(namespace)
                .withLabel(SnapflowLabels.MANAGED_BY, SnapflowLabels.MANAGER)
                .runnableInformer(resync.toMillis());
        podInformer = client.pods().inNamespace(namespace)
                .withLabel(SnapflowLabels.MANAGED_BY, SnapflowLabels.MANAGER)
                .withLabel(SnapflowLabels.ROLE, SnapflowLabels.DRIVER)
                .runnableInformer(resync.toMillis());
        jobInformer.addEventHandler(handler(job -> job.getMetadata().getName()));
        podInformer.addEventHandler(handler(pod -> pod.getMetadata().getLabels().get(SnapflowLabels.JOB_ID)));
        try {
            podInformer.start().toCompletableFuture().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            jobInformer.start().toCompletableFuture().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new IllegalStateException("cannot list and watch Jobs and pods in namespace " + namespace
                    + " (check the API server and the Role of launch's service account): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the watch of namespace " + namespace, e);
        }
    }

    /** Stops both watches and waits (briefly) until they have let go of their connections. */
    @Override
    public void close() {
        SharedIndexInformer<Job> jobs;
        SharedIndexInformer<Pod> pods;
        synchronized (this) {
            jobs = jobInformer;
            pods = podInformer;
            jobInformer = null;
            podInformer = null;
        }
        if (jobs != null) {
            for (SharedIndexInformer<?> informer : List.of(jobs, pods)) {
                informer.close();
                try {
                    informer.stopped().toCompletableFuture().get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("informer did not confirm its stop", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, String> jobName) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                examine(jobName.apply(object));
            }

            @Override
            public void onUpdate(T before, T after) {
                examine(jobName.apply(after));
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                // A deleted Job was cancelled or expired: nothing to report.
            }
        };
    }

    /** Looks at a Job and its driver pods as the caches have them and reports a failure, once. */
    void examine(String jobName) {
        synchronized (examining) {
            examineNow(jobName);
        }
    }

    private void examineNow(String jobName) {
        SharedIndexInformer<Job> jobs = jobInformer;
        SharedIndexInformer<Pod> pods = podInformer;
        if (jobName == null || jobs == null || pods == null || reported.contains(jobName)) {
            return;
        }
        Job job = jobs.getStore().getByKey(Cache.namespaceKeyFunc(namespace, jobName));
        if (job == null || job.getMetadata().getDeletionTimestamp() != null || alreadyReported(job)) {
            return;
        }
        List<Pod> driverPods = pods.getStore().list().stream()
                .filter(pod -> jobName.equals(pod.getMetadata().getLabels().get(SnapflowLabels.JOB_ID)))
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .toList();
        // The Job and pod caches are fed by two watches: a failed Job may arrive before its driver's exit code.
        // Wait a little for the pod's final status, whose reason is more useful than the Job's.
        boolean waitForDriver = condition(job, "Failed").isPresent()
                && failureFirstSeen.computeIfAbsent(jobName, name -> Instant.now()).plus(DRIVER_STATUS_GRACE)
                        .isAfter(Instant.now());
        Optional<Diagnosis> diagnosis = diagnose(job, driverPods, waitForDriver);
        if (diagnosis.isEmpty()) {
            return;
        }
        Map<String, String> labels = job.getMetadata().getLabels();
        ObservedFailure failure = new ObservedFailure(new JobId(jobName), labels.get(SnapflowLabels.TENANT),
                labels.get(SnapflowLabels.ENTITY), diagnosis.get().errorClass(), diagnosis.get().message());
        try {
            sink.report(failure);
        } catch (RuntimeException e) {
            LOG.warn("could not report the failure of Job {}/{}; retrying at the next resync", namespace, jobName, e);
            return;
        }
        reported.add(jobName);
        failureFirstSeen.remove(jobName);
        markReported(jobName);
        if (diagnosis.get().errorClass() == ErrorClass.LAUNCH_FAILED) {
            // The attempt is over for the control plane; a pod that starts after all must not run it twice.
            client.batch().v1().jobs().inNamespace(namespace).withName(jobName)
                    .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
        }
    }

    /** The Job as this watcher last saw it; null when unknown or stopped. */
    Job cachedJob(String jobName) {
        SharedIndexInformer<Job> jobs = jobInformer;
        return jobs == null ? null : jobs.getStore().getByKey(Cache.namespaceKeyFunc(namespace, jobName));
    }

    private void markReported(String jobName) {
        try {
            client.batch().v1().jobs().inNamespace(namespace).withName(jobName).edit(job -> {
                Map<String, String> annotations = new java.util.HashMap<>();
                if (job.getMetadata().getAnnotations() != null) {
                    annotations.putAll(job.getMetadata().getAnnotations());
                }
                annotations.put(SnapflowLabels.REPORTED, "FAILED");
                job.getMetadata().setAnnotations(annotations);
                return job;
            });
        } catch (KubernetesClientException e) {
            LOG.warn("reported Job {}/{} but could not annotate it; a restarted watcher may report it again",
                    namespace, jobName, e);
        }
    }

    static boolean alreadyReported(Job job) {
        Map<String, String> annotations = job.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(SnapflowLabels.REPORTED);
    }

    record Diagnosis(ErrorClass errorClass, String message) {
    }

    /**
     * The most specific reason Kubernetes gives; empty while the job runs, when it succeeded, or when its driver
     * exited {@link JobExitCodes#STOPPED} (callback had told it the attempt is over).
     */
    static Optional<Diagnosis> diagnose(Job job, List<Pod> driverPods, boolean waitForDriver) {
        Optional<JobCondition> failed = condition(job, "Failed");
        if (failed.isPresent() && "DeadlineExceeded".equals(failed.get().getReason())) {
            return Optional.of(new Diagnosis(ErrorClass.DEADLINE_EXCEEDED, "the job ran past its deadline of "
                    + job.getSpec().getActiveDeadlineSeconds() + " s and was stopped by Kubernetes"));
        }
        for (Pod pod : driverPods) {
            String podName = pod.getMetadata().getName();
            if (pod.getStatus() == null) {
                continue;
            }
            if ("Evicted".equals(pod.getStatus().getReason())) {
                return Optional.of(new Diagnosis(ErrorClass.RESOURCE_EXHAUSTED,
                        "driver pod " + podName + " was evicted: " + pod.getStatus().getMessage()));
            }
            for (ContainerStatus status : driverStatuses(pod)) {
                ContainerStateTerminated terminated = status.getState() == null ? null : status.getState().getTerminated();
                if (terminated != null && "OOMKilled".equals(terminated.getReason())) {
                    return Optional.of(new Diagnosis(ErrorClass.RESOURCE_EXHAUSTED, "driver pod " + podName
                            + " was OOMKilled (exit code " + terminated.getExitCode() + "): it needs more memory"));
                }
                ContainerStateWaiting waiting = status.getState() == null ? null : status.getState().getWaiting();
                if (waiting != null && CANNOT_START.contains(waiting.getReason())) {
                    return Optional.of(new Diagnosis(ErrorClass.LAUNCH_FAILED, "driver pod " + podName
                            + " cannot start: " + waiting.getReason()
                            + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage())));
                }
            }
        }
        if (failed.isPresent()) {
            for (Pod pod : driverPods) {
                for (ContainerStatus status : driverStatuses(pod)) {
                    ContainerStateTerminated terminated = status.getState() == null ? null : status.getState().getTerminated();
                    if (terminated != null && terminated.getExitCode() != null
                            && terminated.getExitCode() == JobExitCodes.STOPPED) {
                        return Optional.empty(); // callback told it the attempt is over: nothing left to report
                    }
                    if (terminated != null && terminated.getExitCode() != null && terminated.getExitCode() != 0) {
                        return Optional.of(new Diagnosis(ErrorClass.INTERNAL, "driver pod " + pod.getMetadata().getName()
                                + " exited with code " + terminated.getExitCode()
                                + (terminated.getReason() == null ? "" : " (" + terminated.getReason() + ")")));
                    }
                }
            }
            if (waitForDriver && driverPods.stream().anyMatch(pod -> !finished(pod))) {
                return Optional.empty();
            }
            return Optional.of(new Diagnosis(ErrorClass.INTERNAL, "Kubernetes failed the job: "
                    + failed.get().getReason() + (failed.get().getMessage() == null ? "" : ": " + failed.get().getMessage())));
        }
        return Optional.empty();
    }

    /** A pod whose phase or containers say it has ended. */
    private static boolean finished(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            return true;
        }
        List<ContainerStatus> statuses = driverStatuses(pod);
        return !statuses.isEmpty() && statuses.stream()
                .allMatch(status -> status.getState() != null && status.getState().getTerminated() != null);
    }

    private static List<ContainerStatus> driverStatuses(Pod pod) {
        List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses();
        return statuses == null ? List.of()
                : statuses.stream().filter(status -> DriverJobSpec.CONTAINER.equals(status.getName())).toList();
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(condition -> type.equals(condition.getType()) && "True".equals(condition.getStatus()))
                .findFirst();
    }
}
