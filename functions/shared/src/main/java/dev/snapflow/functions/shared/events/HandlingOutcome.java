package dev.snapflow.functions.shared.events;

import java.util.Objects;

/**
 * What became of one event. The entry points map it: HTTP Done = 202, Retry = 503 (429 for back-pressure),
 * Reject = 400; Kafka Done = commit, Retry = seek back and retry with backoff, Reject = dead-letter topic
 * and commit.
 */
public sealed interface HandlingOutcome permits HandlingOutcome.Done, HandlingOutcome.Retry, HandlingOutcome.Reject {

    /** The event was handled (or was a harmless repeat); do not deliver it again. */
    record Done() implements HandlingOutcome {
    }

    /**
     * The event could not be handled now but may be later (database down, broker down, or back-pressure);
     * deliver it again.
     *
     * @param backPressure true when the handler is deliberately holding back (HTTP 429 rather than 503)
     * @param unknown      true when nothing is known about the failure (an unclassified exception): it gets the
     *                     small retry budget of unknown failures rather than the transient one
     *                     ({@link dev.snapflow.functions.shared.failures.FailureBudget})
     */
    record Retry(String reason, boolean backPressure, boolean unknown) implements HandlingOutcome {
        public Retry {
            Objects.requireNonNull(reason, "reason");
        }

        public Retry(String reason, boolean backPressure) {
            this(reason, backPressure, false);
        }

        public Retry(String reason) {
            this(reason, false, false);
        }
    }

    /** The event can never be handled (invalid data); do not deliver it again, keep it for humans. */
    record Reject(String reason) implements HandlingOutcome {
        public Reject {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static HandlingOutcome done() {
        return new Done();
    }

    static HandlingOutcome retry(String reason) {
        return new Retry(reason);
    }

    static HandlingOutcome backPressure(String reason) {
        return new Retry(reason, true);
    }

    static HandlingOutcome reject(String reason) {
        return new Reject(reason);
    }
}
