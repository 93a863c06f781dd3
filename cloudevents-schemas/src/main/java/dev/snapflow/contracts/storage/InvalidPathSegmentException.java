package dev.snapflow.contracts.storage;

/** A value that cannot be used as one segment of a storage path; the message names the field and the rule. */
public final class InvalidPathSegmentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidPathSegmentException(String field, String reason) {
        super(field + " " + reason);
        this.field = field;
    }

    /** The name of the request field or argument that held the value, e.g. {@code entity}. */
    public String field() {
        return field;
    }
}
