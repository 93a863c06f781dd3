package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.failures.FailureClassifier;

/**
 * The broker did not acknowledge an event; the event must be considered unsent. When the broker answered with
 * an HTTP status (the Knative sink), it is kept, so the failure can be classified (a 413 is for good, a 503 is not).
 */
public class EventPublishException extends RuntimeException implements FailureClassifier.HttpStatusFailure {
    private static final long serialVersionUID = 1L;
    private final int statusCode;

    public EventPublishException(String message, int statusCode) {
        super(message);
        this.statusCode = statusCode;
    }

    /** The sink's HTTP status, or 0 when there was no answer; 0 leaves the classification to the cause. */
    @Override
    public int statusCode() {
        return statusCode;
    }

    public EventPublishException(String message, Throwable cause) {
        super(message, cause);
        this.statusCode = 0;
    }

    public EventPublishException(String message) {
        super(message);
        this.statusCode = 0;
    }
}
