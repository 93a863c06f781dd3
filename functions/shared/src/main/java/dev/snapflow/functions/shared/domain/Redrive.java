package dev.snapflow.functions.shared.domain;

/**
 * The {@link LifecycleDecider}'s answer to the reconciler about something overdue (an attempt with no sign of life
 * by its deadline, a process never queued): what the truth says, or how to find it out.
 */
public sealed interface Redrive {

    /** The attempt's output is committed: it SUCCEEDED, whatever became of its report (decide {@link AttemptOutcome.Succeeded}). */
    record Committed(String outputManifest) implements Redrive {
    }

    /** Re-send the event that should have moved it on (a new event id); this is re-drive number {@code redrive}. */
    record Again(int redrive) implements Redrive {
    }

    /**
     * Re-sent as often as allowed, and still nothing: an attempt is lost (decide {@link AttemptOutcome.Lost}), a
     * process never queued failed (decide {@link AttemptOutcome.Undeliverable}).
     */
    record GiveUp(String why) implements Redrive {
    }
}
