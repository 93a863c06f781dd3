package dev.snapflow.functions.shared.domain;

import dev.snapflow.contracts.jobs.ErrorClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Every move of the decider, without a database. */
class LifecycleDeciderTest {
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private final LifecycleDecider decider = new LifecycleDecider(new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(60)));

    private static StepFacts step(int stepNo, int stepCount, int attempt, int maxAttempts) {
        return new StepFacts(stepNo, stepCount, "clean", attempt, maxAttempts, ProcessState.RUNNING);
    }

    @Test
    void succeededStepWithANextStepQueuesItWithTheOutputAsInput() {
        NextMove move = decider.decide(new AttemptOutcome.Succeeded("s3://b/out/_manifest.json", false), step(1, 3, 1, 3), NOW);

        assertThat(move).isEqualTo(new NextMove.NextStep(2, "s3://b/out/_manifest.json"));
    }

    @Test
    void succeededLastStepSucceedsTheProcess() {
        NextMove move = decider.decide(new AttemptOutcome.Succeeded("s3://b/gold/_manifest.json", true), step(3, 3, 2, 3), NOW);

        assertThat(move).isEqualTo(new NextMove.ProcessSucceeded("s3://b/gold/_manifest.json"));
    }

    @Test
    void succeededWithoutAnOutputManifestIsAnInternalFailureThatIsNotRetried() {
        NextMove move = decider.decide(new AttemptOutcome.Succeeded(null, false), step(1, 1, 1, 3), NOW);

        assertThat(move).isInstanceOfSatisfying(NextMove.ProcessFailed.class, failed -> {
            assertThat(failed.errorClass()).isEqualTo(ErrorClass.INTERNAL);
            assertThat(failed.stepMessage()).contains("without an output manifest");
        });
    }

    @Test
    void retryableFailureWithAttemptsLeftRetriesAfterTheBackoff() {
        NextMove move = decider.decide(new AttemptOutcome.Failed(ErrorClass.TRANSIENT, "s3 timeout"), step(2, 3, 2, 3), NOW);

        // base 10 s * 2^(2-1)
        assertThat(move).isEqualTo(new NextMove.RetryAt(NOW.plusSeconds(20), 3, ErrorClass.TRANSIENT, "s3 timeout"));
    }

    @Test
    void retryableFailureOnTheLastAttemptFailsTheProcessNamingStepActionAndAttempts() {
        NextMove move = decider.decide(new AttemptOutcome.Failed(ErrorClass.RESOURCE_EXHAUSTED, "OOMKilled"), step(2, 3, 3, 3), NOW);

        assertThat(move).isEqualTo(new NextMove.ProcessFailed(ErrorClass.RESOURCE_EXHAUSTED, "OOMKilled",
                "step 2 (clean) failed after 3 attempts: OOMKilled"));
    }

    @ParameterizedTest
    @EnumSource(value = ErrorClass.class, names = {"INVALID_PARAMS", "MISSING_INPUT", "INVALID_DATA", "INTERNAL"})
    void nonRetryableFailureFailsTheProcessAtOnce(ErrorClass errorClass) {
        NextMove move = decider.decide(new AttemptOutcome.Failed(errorClass, "bad"), step(1, 2, 1, 3), NOW);

        assertThat(move).isEqualTo(new NextMove.ProcessFailed(errorClass, "bad", "step 1 (clean) failed after 1 attempt: bad"));
    }

    @Test
    void failureWithoutAMessageIsNamedByItsClass() {
        NextMove move = decider.decide(new AttemptOutcome.Failed(ErrorClass.INVALID_DATA, " "), step(1, 1, 1, 1), NOW);

        assertThat(((NextMove.ProcessFailed) move).stepMessage()).isEqualTo("INVALID_DATA");
    }

    @Test
    void failureWithoutAClassIsInternal() {
        NextMove move = decider.decide(new AttemptOutcome.Failed(null, "?"), step(1, 1, 1, 3), NOW);

        assertThat(((NextMove.ProcessFailed) move).errorClass()).isEqualTo(ErrorClass.INTERNAL);
    }

    @Test
    void lostAttemptIsRetriedAsTransientWhileAttemptsAreLeft() {
        NextMove move = decider.decide(new AttemptOutcome.Lost("no report by its deadline"), step(1, 1, 1, 3), NOW);

        assertThat(move).isEqualTo(new NextMove.RetryAt(NOW.plusSeconds(10), 2, ErrorClass.TRANSIENT,
                "the job was lost: no report by its deadline"));
    }

    @Test
    void lostLastAttemptFailsTheProcess() {
        NextMove move = decider.decide(new AttemptOutcome.Lost("pod deleted"), step(1, 1, 3, 3), NOW);

        assertThat(move).isInstanceOfSatisfying(NextMove.ProcessFailed.class,
                failed -> assertThat(failed.errorClass()).isEqualTo(ErrorClass.TRANSIENT));
    }

    @Test
    void backoffIsCappedByTheMaximumDelay() {
        NextMove move = decider.decide(new AttemptOutcome.Failed(ErrorClass.TRANSIENT, "x"), step(1, 1, 5, 9), NOW);

        assertThat(((NextMove.RetryAt) move).notBefore()).isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void actionGoneFromTheCatalogFailsTheProcessWithANamedClassAndNoRetry() {
        NextMove move = decider.decide(new AttemptOutcome.ActionUnavailable("clean"), step(2, 3, 0, 3), NOW);

        assertThat(move).isEqualTo(new NextMove.ProcessFailed(ErrorClass.ACTION_UNAVAILABLE,
                "action clean is no longer in the action catalog",
                "step 2 (clean) cannot run: action clean is no longer in the action catalog"));
        assertThat(ErrorClass.ACTION_UNAVAILABLE.retryable()).isFalse();
    }

    @Test
    void cancelledAttemptEndsItsStepWithNothingAfter() {
        NextMove move = decider.decide(new AttemptOutcome.Cancelled(), step(1, 2, 1, 3), NOW);

        assertThat(move).isEqualTo(new NextMove.Cancelled());
    }

    @ParameterizedTest
    @EnumSource(value = ProcessState.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void anOutcomeForAnEndedProcessChangesNothing(ProcessState ended) {
        StepFacts facts = new StepFacts(1, 2, "clean", 1, 3, ended);

        assertThat(decider.decide(new AttemptOutcome.Succeeded("s3://b/m", false), facts, NOW))
                .isEqualTo(new NextMove.AlreadyEnded(ended));
        assertThat(decider.decide(new AttemptOutcome.Failed(ErrorClass.TRANSIENT, "x"), facts, NOW))
                .isEqualTo(new NextMove.AlreadyEnded(ended));
    }

    @Test
    void anUndeliverableEventFailsTheProcessWithANamedClassAndIsNeverRetried() {
        NextMove move = decider.decide(new AttemptOutcome.Undeliverable("job.requested", "dead-lettered: poison"),
                step(1, 2, 1, 3), NOW);

        assertThat(move).isInstanceOfSatisfying(NextMove.ProcessFailed.class, failed -> {
            assertThat(failed.errorClass()).isEqualTo(ErrorClass.EVENT_UNDELIVERABLE);
            assertThat(failed.stepMessage()).isEqualTo("job.requested did not get through: dead-lettered: poison");
            assertThat(failed.processMessage()).startsWith("process stopped at step 1 (clean)");
        });
        assertThat(ErrorClass.EVENT_UNDELIVERABLE.retryable()).isFalse();
    }

    @Test
    void anUndeliverableEventOfAnEndedProcessChangesNothing() {
        NextMove move = decider.decide(new AttemptOutcome.Undeliverable("process.accepted", "lost"),
                new StepFacts(1, 1, "clean", 0, 3, ProcessState.SUCCEEDED), NOW);

        assertThat(move).isEqualTo(new NextMove.AlreadyEnded(ProcessState.SUCCEEDED));
    }

    @Test
    void anOverdueAttemptWithACommittedManifestSucceededWhateverBecameOfItsReport() {
        assertThat(decider.overdueAttempt("s3://b/out/_manifest.json", 2, 2))
                .isEqualTo(new Redrive.Committed("s3://b/out/_manifest.json"));
    }

    @Test
    void anOverdueAttemptWithoutOutputHasItsJobRequestReSentWhileRedrivesRemain() {
        assertThat(decider.overdueAttempt(null, 0, 3)).isEqualTo(new Redrive.Again(1));
        assertThat(decider.overdueAttempt(" ", 2, 3)).isEqualTo(new Redrive.Again(3));
    }

    @Test
    void anOverdueAttemptWithoutOutputIsLostOnceItsRedrivesAreUsedUpAndALostAttemptIsRetried() {
        Redrive verdict = decider.overdueAttempt(null, 3, 3);

        assertThat(verdict).isInstanceOfSatisfying(Redrive.GiveUp.class,
                giveUp -> assertThat(giveUp.why()).contains("3 re-sent job requests"));
        NextMove move = decider.decide(new AttemptOutcome.Lost(((Redrive.GiveUp) verdict).why()), step(1, 1, 1, 3), NOW);
        assertThat(move).isInstanceOfSatisfying(NextMove.RetryAt.class,
                retry -> assertThat(retry.errorClass()).isEqualTo(ErrorClass.TRANSIENT));
    }

    @Test
    void aProcessNeverQueuedHasItsProcessAcceptedReSentThenFailsAsUndeliverable() {
        assertThat(decider.unqueuedProcess(0, 2)).isEqualTo(new Redrive.Again(1));
        assertThat(decider.unqueuedProcess(1, 2)).isEqualTo(new Redrive.Again(2));
        assertThat(decider.unqueuedProcess(2, 2)).isInstanceOfSatisfying(Redrive.GiveUp.class,
                giveUp -> assertThat(giveUp.why()).contains("after 2 re-sent process.accepted events"));
    }

    @Test
    void aFailureThePlatformObservedIsASuccessWhenTheAttemptsOutputIsCommitted() {
        AttemptOutcome.Failed killed = new AttemptOutcome.Failed(ErrorClass.DEADLINE_EXCEEDED, "killed after the timeout");

        assertThat(decider.observedFailure(killed, "s3://b/t/orders/v1/silver/o/_manifest.json"))
                .isEqualTo(new AttemptOutcome.Succeeded("s3://b/t/orders/v1/silver/o/_manifest.json", false));
        assertThat(decider.observedFailure(killed, null)).isSameAs(killed);
    }
}
