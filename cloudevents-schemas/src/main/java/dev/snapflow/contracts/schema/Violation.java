package dev.snapflow.contracts.schema;

import java.util.Objects;

/**
 * One reason a JSON document is not valid.
 *
 * @param field   where, as a path into the document ({@code tenant}, {@code steps[0].action}); empty for the
 *                document as a whole
 * @param message what is wrong, for people
 */
public record Violation(String field, String message) {
    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    /** {@code field: message}, or just the message for the whole document. */
    @Override
    public String toString() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
