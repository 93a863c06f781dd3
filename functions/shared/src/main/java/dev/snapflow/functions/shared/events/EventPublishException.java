package dev.snapflow.functions.shared.events;

/** The broker did not acknowledge an event; the event must be considered unsent. */
public class EventPublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EventPublishException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventPublishException(String message) {
        super(message);
    }
}
