package dev.snapflow.contracts.events;

import dev.snapflow.contracts.schema.InvalidDocumentException;
import dev.snapflow.contracts.schema.Violation;

import java.util.List;

/**
 * An event that cannot be read as the data it claims to carry: wrong type, missing or unparsable data, data
 * that breaks its schema or its record's rules. The message names the event and every problem found, each
 * naming its field. A consumer that gets this should not retry the event: it will never be valid.
 */
public final class InvalidEventException extends InvalidDocumentException {
    private static final long serialVersionUID = 1L;

    private final String eventId;
    private final String eventType;

    public InvalidEventException(String eventId, String eventType, List<Violation> violations, Throwable cause) {
        super("event " + (eventType == null ? "" : eventType + " ") + "(id " + eventId + ")", violations, cause);
        this.eventId = eventId;
        this.eventType = eventType;
    }

    /** Null when the bytes were not an event at all. */
    public String eventId() {
        return eventId;
    }

    /** Null when the bytes were not an event at all. */
    public String eventType() {
        return eventType;
    }
}
