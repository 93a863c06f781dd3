package dev.snapflow.contracts.events;

import java.util.List;

/**
 * An event that cannot be read as the data it claims to carry: wrong type, missing or unparsable data, data
 * that breaks its schema or its record's rules. The message names the event and every problem found, each
 * problem naming its field. A consumer that gets this should not retry the event: it will never be valid.
 */
public final class InvalidEventException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String eventId;
    private final String eventType;
    private final transient List<String> problems;

    public InvalidEventException(String eventId, String eventType, List<String> problems, Throwable cause) {
        super("invalid event " + eventType + " (id " + eventId + "): " + String.join("; ", problems), cause);
        this.eventId = eventId;
        this.eventType = eventType;
        this.problems = List.copyOf(problems);
    }

    public String eventId() {
        return eventId;
    }

    public String eventType() {
        return eventType;
    }

    /** One entry per problem, each starting with the field it concerns when there is one. */
    public List<String> problems() {
        return problems;
    }
}
