package dev.snapflow.contracts.jobs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobIdTest {
    private static final String PROCESS = "3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b";

    @Test
    void roundTripsProcessStepAndAttempt() {
        JobId id = JobId.of(PROCESS, 12, 3);

        assertThat(id.value()).isEqualTo("sf-3f2b8c1e9a4d4e27b1c50d6e7f809a1b-s12-a3");
        assertThat(id.processId()).isEqualTo(PROCESS);
        assertThat(id.step()).isEqualTo(12);
        assertThat(id.attempt()).isEqualTo(3);
        assertThat(new JobId(id.value())).isEqualTo(id);
    }

    @Test
    void sameProcessStepAndAttemptNameTheSameJob() {
        assertThat(JobId.of(PROCESS.toUpperCase(), 1, 1)).isEqualTo(JobId.of(PROCESS, 1, 1));
    }

    @Test
    void isAValidKubernetesName() {
        assertThat(JobId.of(PROCESS, 999, 999).value()).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }

    @Test
    void stepAndAttemptStartAtOne() {
        assertThatThrownBy(() -> JobId.of(PROCESS, 0, 1)).hasMessageContaining("start at 1");
        assertThatThrownBy(() -> JobId.of(PROCESS, 1, 0)).hasMessageContaining("start at 1");
    }

    @Test
    void textThatIsNoJobIdIsRejected() {
        assertThatThrownBy(() -> new JobId("sf-nothex-s1-a1")).hasMessageContaining("not a job id");
        assertThatThrownBy(() -> JobId.of("not-a-uuid", 1, 1)).hasMessageContaining("not a job id");
    }
}
