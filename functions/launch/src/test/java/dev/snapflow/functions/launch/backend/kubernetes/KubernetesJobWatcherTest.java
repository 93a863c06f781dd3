package dev.snapflow.functions.launch.backend.kubernetes;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.ObservedFailure;
import dev.snapflow.functions.launch.backend.TestJobs;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static dev.snapflow.functions.launch.backend.kubernetes.KubernetesBackendTest.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The mock API server runs no controllers: the tests create the driver pod and set the statuses Kubernetes would. */
@EnableKubernetesMockClient(crud = true)
class KubernetesJobWatcherTest {
    KubernetesClient client;

    private final List<ObservedFailure> reported = new CopyOnWriteArrayList<>();
    private final List<KubernetesJobWatcher> watchers = new ArrayList<>();
    private KubernetesBackend backend;

    @BeforeEach
    void start() {
        backend = new KubernetesBackend(client, KubernetesBackendTest.settings());
        watcher();
    }

    @AfterEach
    void stop() {
        watchers.forEach(KubernetesJobWatcher::close);
    }

    private KubernetesJobWatcher watcher() {
        KubernetesJobWatcher watcher = new KubernetesJobWatcher(client, NAMESPACE, reported::add, Duration.ofMinutes(5));
        watchers.add(watcher);
        watcher.start(Duration.ofSeconds(30));
        return watcher;
    }

    /** The driver pod the Job controller would make from the Job's template. */
    private String createDriverPod(JobLaunch launch) {
        Job job = client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value()).get();
        String podName = launch.jobId().value() + "-x7k2p";
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata()
                    .withName(podName)
                    .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .build()).create();
        return podName;
    }

    private void setDriverStatus(String podName, UnaryOperator<PodBuilder> status) {
        client.pods().inNamespace(NAMESPACE).withName(podName)
                .editStatus(pod -> status.apply(new PodBuilder(pod)).build());
    }

    private static ContainerStatus terminated(String reason, int exitCode) {
        return new ContainerStatusBuilder().withName("driver").withNewState().withNewTerminated()
                .withReason(reason).withExitCode(exitCode).endTerminated().endState().build();
    }

    private Job job(JobLaunch launch) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value()).get();
    }

    @Test
    void oomKilledDriverIsReportedFailedWithResourceExhaustedOnceEvenAfterARestart() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);
        String pod = createDriverPod(launch);

        setDriverStatus(pod, builder -> builder.withNewStatus().withPhase("Failed")
                .withContainerStatuses(terminated("OOMKilled", 137)).endStatus());

        await().atMost(Duration.ofSeconds(30)).until(() -> !reported.isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> KubernetesJobWatcher.alreadyReported(job(launch)));
        assertThat(reported).singleElement().satisfies(failure -> {
            assertThat(failure.jobId()).isEqualTo(launch.jobId());
            assertThat(failure.partitionKey()).isEqualTo("acme/orders");
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.RESOURCE_EXHAUSTED);
            assertThat(failure.message()).contains("OOMKilled", pod);
            JobStatusReport report = failure.toReport(Instant.parse("2026-11-21T08:00:00Z"));
            assertThat(report.state()).isEqualTo(JobState.FAILED);
            assertThat(report.attempt()).isEqualTo(1);
            assertThat(report.reporter()).isEqualTo("kubernetes");
        });
        assertThat(job(launch).getMetadata().getAnnotations()).containsEntry("snapflow.dev/reported", "FAILED");

        stop();
        KubernetesJobWatcher restarted = watcher();
        restarted.examine(launch.jobId().value());

        assertThat(reported).hasSize(1);
    }

    @Test
    void driverThatCannotPullItsImageIsReportedLaunchFailedAndItsJobDeleted() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);
        String pod = createDriverPod(launch);

        setDriverStatus(pod, builder -> builder.withNewStatus().withPhase("Pending")
                .withContainerStatuses(new ContainerStatusBuilder().withName("driver").withNewState().withNewWaiting()
                        .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"ghcr.io/snapflow/spark-jobs:test\"")
                        .endWaiting().endState().build())
                .endStatus());

        await().atMost(Duration.ofSeconds(30)).until(() -> !reported.isEmpty());
        assertThat(reported).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.LAUNCH_FAILED);
            assertThat(failure.message()).contains("ImagePullBackOff", "Back-off pulling image");
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> job(launch) == null);
    }

    @Test
    void evictedDriverIsReportedResourceExhausted() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);
        String pod = createDriverPod(launch);

        setDriverStatus(pod, builder -> builder.withNewStatus().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").endStatus());

        await().atMost(Duration.ofSeconds(30)).until(() -> !reported.isEmpty());
        assertThat(reported).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.RESOURCE_EXHAUSTED);
            assertThat(failure.message()).contains("evicted", "low on resource: memory");
        });
    }

    @Test
    void jobStoppedAtItsDeadlineIsReportedDeadlineExceeded() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);

        client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value())
                .editStatus(job -> new JobBuilder(job).withNewStatus().addNewCondition().withType("Failed")
                        .withStatus("True").withReason("DeadlineExceeded")
                        .withMessage("Job was active longer than specified deadline").endCondition().endStatus().build());

        await().atMost(Duration.ofSeconds(30)).until(() -> !reported.isEmpty());
        assertThat(reported).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.DEADLINE_EXCEEDED);
            assertThat(failure.message()).contains("1800 s");
        });
    }

    @Test
    void driverThatExitedWithAnErrorIsReportedWithItsExitCodeOnceTheJobFailed() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);
        String pod = createDriverPod(launch);
        setDriverStatus(pod, builder -> builder.withNewStatus().withPhase("Failed")
                .withContainerStatuses(terminated("Error", 1)).endStatus());

        client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value())
                .editStatus(job -> new JobBuilder(job).withNewStatus().addNewCondition().withType("Failed")
                        .withStatus("True").withReason("BackoffLimitExceeded").endCondition().endStatus().build());

        await().atMost(Duration.ofSeconds(30)).until(() -> !reported.isEmpty());
        assertThat(reported).singleElement().satisfies(failure -> {
            assertThat(failure.errorClass()).isEqualTo(ErrorClass.INTERNAL);
            assertThat(failure.message()).contains("exited with code 1");
        });
    }

    @Test
    void succeededJobIsNotReported() {
        JobLaunch launch = TestJobs.scripted("sleep", Duration.ofMinutes(30));
        backend.launch(launch);
        String pod = createDriverPod(launch);
        setDriverStatus(pod, builder -> builder.withNewStatus().withPhase("Succeeded")
                .withContainerStatuses(terminated("Completed", 0)).endStatus());
        client.batch().v1().jobs().inNamespace(NAMESPACE).withName(launch.jobId().value())
                .editStatus(job -> new JobBuilder(job).withNewStatus().addNewCondition().withType("Complete")
                        .withStatus("True").endCondition().endStatus().build());
        await().atMost(Duration.ofSeconds(30)).until(() -> KubernetesBackend.finished(watcherView(launch)));

        watchers.getFirst().examine(launch.jobId().value());

        assertThat(reported).isEmpty();
    }

    /** The Job as the watcher's cache has it; examining before the cache saw the update would prove nothing. */
    private Job watcherView(JobLaunch launch) {
        return watchers.getFirst().cachedJob(launch.jobId().value());
    }
}
