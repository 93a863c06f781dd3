package dev.snapflow.functions.shared.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import dev.snapflow.contracts.jobs.ErrorClass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateMachineTest {

    @ParameterizedTest
    @EnumSource(value = ProcessState.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void terminalProcessStateNeverChanges(ProcessState terminal) {
        for (ProcessState to : ProcessState.values()) {
            assertThat(StateMachine.allows(terminal, to)).as(terminal + "->" + to).isEqualTo(to == terminal);
        }
    }

    @ParameterizedTest
    @EnumSource(value = StepState.class, names = {"SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED"})
    void terminalStepStateNeverChanges(StepState terminal) {
        assertThat(StateMachine.next(terminal)).isEmpty();
    }

    @Test
    void happyPathOfAProcessIsAllowed() {
        assertThat(StateMachine.allows(ProcessState.ACCEPTED, ProcessState.QUEUED)).isTrue();
        assertThat(StateMachine.allows(ProcessState.QUEUED, ProcessState.RUNNING)).isTrue();
        assertThat(StateMachine.allows(ProcessState.RUNNING, ProcessState.SUCCEEDED)).isTrue();
    }

    @Test
    void failedStepAttemptMayGoBackToQueuedForARetry() {
        assertThat(StateMachine.allows(StepState.RUNNING, StepState.QUEUED)).isTrue();
        assertThat(StateMachine.allows(StepState.LAUNCHING, StepState.QUEUED)).isTrue();
    }

    @Test
    void succeededProcessCannotBeCancelled() {
        assertThatThrownBy(() -> StateMachine.require(ProcessState.SUCCEEDED, ProcessState.CANCELLED))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessage("process cannot go from SUCCEEDED to CANCELLED");
    }

    @Test
    void staysInTheSameStateIsNotATransitionSoRepeatsAreHarmless() {
        assertThat(StateMachine.require(AttemptState.SUCCEEDED, AttemptState.SUCCEEDED)).isEqualTo(AttemptState.SUCCEEDED);
    }

    @Test
    void onlyRetryableErrorsAreRetriedAndOnlyWhileAttemptsRemain() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(policy.shouldRetry(ErrorClass.TRANSIENT, 1, 3)).isTrue();
        assertThat(policy.shouldRetry(ErrorClass.TRANSIENT, 3, 3)).isFalse();
        assertThat(policy.shouldRetry(ErrorClass.INVALID_DATA, 1, 3)).isFalse();
    }

    @Test
    void backoffDoublesAndIsCapped() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofSeconds(5));
    }
}
