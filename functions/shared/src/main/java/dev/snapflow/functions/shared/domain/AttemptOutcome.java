package dev.snapflow.functions.shared.domain;

import dev.snapflow.contracts.jobs.ErrorClass;

/**
 * What became of a step's current attempt (or, for {@link ActionUnavailable}, of a step that cannot get one), as
 * the {@link LifecycleDecider} sees it. Reports, the Kubernetes watcher and the dispatcher each translate what they
 * saw into one of these; the decider alone says what happens next.
 */
public sealed interface AttemptOutcome {

    /** The job committed its output manifest ({@code cached}: it was already committed and Spark did not run). */
    record Succeeded(String outputManifest, boolean cached) implements AttemptOutcome {
    }

    /** The job failed; whether another attempt may help is the error class's to say. */
    record Failed(ErrorClass errorClass, String message) implements AttemptOutcome {
    }

    /** The job gave no sign of life by its deadline and committed no output: it is gone (e.g. its pod or JVM died). */
    record Lost(String why) implements AttemptOutcome {
    }

    /** The attempt was stopped because its process was cancelled. */
    record Cancelled() implements AttemptOutcome {
    }

    /**
     * An event the process needs went to the dead letter, or was lost and re-sent as often as allowed without an
     * answer: nothing will move the process on by itself.
     *
     * @param eventType the event that did not get through
     * @param why       what happened to it, for people
     */
    record Undeliverable(String eventType, String why) implements AttemptOutcome {
    }

    /** The step's action is no longer in the action catalog (catalog drift): no attempt can be started, ever. */
    record ActionUnavailable(String action) implements AttemptOutcome {
    }
}
