package dev.snapflow.functions.shared.failures;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FailureBudgetTest {
    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    private final FailureBudget budget = new FailureBudget(Duration.ofMillis(500), Duration.ofSeconds(30), 5,
            Duration.ofMinutes(2), Duration.ofMinutes(10));

    private FailureBudget.Decision decide(FailureKind kind, int attempts, Duration since) {
        return budget.decide(kind, false, attempts, T0, T0.plus(since), () -> 1.0);
    }

    @Test
    void aPermanentFailureGoesToTheDeadLetterAtOnce() {
        assertThat(decide(FailureKind.PERMANENT, 1, Duration.ZERO)).isInstanceOf(FailureBudget.DeadLetter.class);
    }

    @Test
    void anUnknownFailureIsRetriedUntilItsAttemptsAreSpent() {
        assertThat(decide(FailureKind.UNKNOWN, 4, Duration.ofSeconds(10))).isInstanceOf(FailureBudget.RetryAt.class);
        assertThat(decide(FailureKind.UNKNOWN, 5, Duration.ofSeconds(10))).isInstanceOf(FailureBudget.DeadLetter.class);
    }

    @Test
    void anUnknownFailureIsDeadLetteredWhenItsTimeIsSpent() {
        assertThat(decide(FailureKind.UNKNOWN, 2, Duration.ofMinutes(2))).isInstanceOf(FailureBudget.DeadLetter.class);
    }

    @Test
    void aTransientFailureIsRetriedForItsTimeBudgetThenDeadLettered() {
        assertThat(decide(FailureKind.TRANSIENT, 500, Duration.ofMinutes(9))).isInstanceOf(FailureBudget.RetryAt.class);
        FailureBudget.Decision late = decide(FailureKind.TRANSIENT, 501, Duration.ofMinutes(10));
        assertThat(late).isInstanceOf(FailureBudget.DeadLetter.class);
        assertThat(((FailureBudget.DeadLetter) late).reason()).contains("PT10M");
    }

    @Test
    void backPressureHasNoBudgetAndNoGrowingBackoff() {
        FailureBudget.Decision decision = budget.decide(FailureKind.TRANSIENT, true, 10_000, T0,
                T0.plus(Duration.ofHours(3)), () -> 1.0);
        assertThat(decision).isEqualTo(new FailureBudget.RetryAt(T0.plus(Duration.ofHours(3)).plusMillis(500)));
    }

    @Test
    void theBackoffDoublesIsCappedAndJittered() {
        assertThat(budget.delay(1, () -> 1.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(budget.delay(2, () -> 1.0)).isEqualTo(Duration.ofMillis(1000));
        assertThat(budget.delay(4, () -> 1.0)).isEqualTo(Duration.ofMillis(4000));
        assertThat(budget.delay(60, () -> 1.0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(budget.delay(60, () -> 0.0)).isEqualTo(Duration.ofSeconds(15));
        assertThat(budget.delay(3, () -> 0.0)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void theRetryTimeIsNowPlusTheBackoff() {
        FailureBudget.Decision decision = decide(FailureKind.TRANSIENT, 3, Duration.ofSeconds(5));
        assertThat(((FailureBudget.RetryAt) decision).at()).isEqualTo(T0.plusSeconds(5).plusMillis(2000));
    }
}
