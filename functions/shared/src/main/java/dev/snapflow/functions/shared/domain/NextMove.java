package dev.snapflow.functions.shared.domain;

import dev.snapflow.contracts.jobs.ErrorClass;

import java.time.Instant;

/**
 * The {@link LifecycleDecider}'s answer to "this attempt ended; what now?". Each move names the states it leads to,
 * so the ledger writes exactly that and decides nothing itself.
 */
public sealed interface NextMove {

    /** The attempt is {@link AttemptState#FAILED}; the step goes back to QUEUED and attempt {@code nextAttempt} starts no earlier than {@code notBefore}. */
    record RetryAt(Instant notBefore, int nextAttempt, ErrorClass errorClass, String message) implements NextMove {
    }

    /** The attempt and its step SUCCEEDED; step {@code stepNo} is QUEUED with {@code inputManifest} as its input. */
    record NextStep(int stepNo, String inputManifest) implements NextMove {
    }

    /** The attempt, its step (the last) and the process SUCCEEDED; {@code resultManifest} is the last step's output. */
    record ProcessSucceeded(String resultManifest) implements NextMove {
    }

    /**
     * The step FAILED for good (later steps SKIPPED) and so did the process.
     *
     * @param stepMessage    the step's (and attempt's) error text
     * @param processMessage one line for people, naming the step, its action and the attempts used
     */
    record ProcessFailed(ErrorClass errorClass, String stepMessage, String processMessage) implements NextMove {
    }

    /** The attempt ended because its process was cancelled; attempt and step are CANCELLED and nothing follows. */
    record Cancelled() implements NextMove {
    }

    /** The process already ended (e.g. cancelled while the job ran): nothing changes and the job should stop. */
    record AlreadyEnded(ProcessState processState) implements NextMove {
    }
}
