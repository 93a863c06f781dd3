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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static dev.snapflow.functions.launch.backend.kubernetes.KubernetesBackendTest.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mock API server runs no controllers: the tests create the driver pod and set the statuses Kubernetes would.
 * One API server and one watcher for the class (closing a watch stalls the mock server for seconds); each test
 * has its own jobs and looks only at the reports about them.
 */
@EnableKubernetesMockClient(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesJobWatcherTest {
    static KubernetesClient client;

    private final List<ObservedFailure> reported = new CopyOnWriteArrayList<>();
    private KubernetesJobWatcher watcher;
    /** Closed with the class: closing a watch stalls the mock API server for seconds. */
    private KubernetesJobWatcher restarted;
    private KubernetesBackend backend;

    @BeforeAll
    void start() {
        backend = new KubernetesBackend(client, KubernetesBackendTest.settings());
        watcher = new KubernetesJobWatcher(client, NAMESPACE, reported::add, Duration.ofMinutes(5));
        watcher.start(Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() {
        watcher.close();
        if (restarted != null) {
            restarted.close();
        }
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

    /** What the watcher reported about this test's job (a restarted watcher also sees earlier tests' Jobs). */
    private List<ObservedFailure> reportsAbout(JobLaunch launch) {
        return reported.stream().filter(failure -> failure.jobId().equals(launch.jobId())).toList();
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

        await().atMost(Duration.ofSeconds(30)).until(() -> !reportsAbout(launch).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> KubernetesJobWatcher.alreadyReported(job(launch)));
        assertThat(reportsAbout(launch)).singleElement().satisfies(failure -> {
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

        // A restarted launch starts a new watcher from a fresh list.

        List<ObservedFailure> reportedAfterRestart = new CopyOnWriteArrayList<>();
        restarted = new KubernetesJobWatcher(client, NAMESPACE, reportedAfterRestart::add, Duration.ofMinutes(5));
        restarted.start(Duration.ofSeconds(30));
        restarted.examine(launch.jobId().value());

        assertThat(reportedAfterRestart).noneMatch(failure -> failure.jobId().equals(launch.jobId()));
        assertThat(reportsAbout(launch)).hasSize(1);
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

        await().atMost(Duration.ofSeconds(30)).until(() -> !reportsAbout(launch).isEmpty());
        assertThat(reportsAbout(launch)).singleElement().satisfies(failure -> {
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

        await().atMost(Duration.ofSeconds(30)).until(() -> !reportsAbout(launch).isEmpty());
        assertThat(reportsAbout(launch)).singleElement().satisfies(failure -> {
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

        await().atMost(Duration.ofSeconds(30)).until(() -> !reportsAbout(launch).isEmpty());
        assertThat(reportsAbout(launch)).singleElement().satisfies(failure -> {
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

        await().atMost(Duration.ofSeconds(30)).until(() -> !reportsAbout(launch).isEmpty());
        assertThat(reportsAbout(launch)).singleElement().satisfies(failure -> {
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

        watcher.examine(launch.jobId().value());

        assertThat(reportsAbout(launch)).isEmpty();
    }

    /** The Job as the watcher's cache has it; examining before the cache saw the update would prove nothing. */
    private Job watcherView(JobLaunch launch) {
        return watcher.cachedJob(launch.jobId().value());
    }
}
