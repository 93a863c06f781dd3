package dev.snapflow.functions.launch.backend.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Job and pod watches deliver in any order; a failed Job waits briefly for its driver's exit code. */
class FailedJobDiagnosisTest {
    private static final Job FAILED_JOB = new JobBuilder().withNewMetadata().withName("sf-job").endMetadata()
            .withNewStatus().addNewCondition().withType("Failed").withStatus("True")
            .withReason("BackoffLimitExceeded").endCondition().endStatus().build();

    private static Pod driver(String phase) {
        return new PodBuilder().withNewMetadata().withName("sf-job-driver").endMetadata()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    @Test
    void failedJobWhoseDriverPodHasNotEndedInTheCacheWaitsForTheDriversStatus() {
        assertThat(KubernetesJobWatcher.diagnose(FAILED_JOB, List.of(driver("Running")), true)).isEmpty();
    }

    @Test
    void failedJobIsReportedWithKubernetesReasonOnceTheWaitIsOver() {
        assertThat(KubernetesJobWatcher.diagnose(FAILED_JOB, List.of(driver("Running")), false))
                .hasValueSatisfying(d -> assertThat(d.message()).isEqualTo("Kubernetes failed the job: BackoffLimitExceeded"));
    }

    @Test
    void failedJobWithoutADriverPodIsReportedAtOnce() {
        assertThat(KubernetesJobWatcher.diagnose(FAILED_JOB, List.of(), true))
                .hasValueSatisfying(d -> assertThat(d.message()).contains("BackoffLimitExceeded"));
    }

    @Test
    void failedJobWhoseDriverStoppedBecauseCallbackSaidItsAttemptIsOverIsNotReported() {
        Pod stopped = new PodBuilder().withNewMetadata().withName("sf-job-driver").endMetadata()
                .withNewStatus().withPhase("Failed").addNewContainerStatus().withName(DriverJobSpec.CONTAINER)
                .withNewState().withNewTerminated().withExitCode(dev.snapflow.contracts.jobs.JobExitCodes.STOPPED)
                .endTerminated().endState().endContainerStatus().endStatus().build();

        assertThat(KubernetesJobWatcher.diagnose(FAILED_JOB, List.of(stopped), false)).isEmpty();
    }
}
