package dev.snapflow.contracts.schema;

import java.util.List;

/**
 * A contract document (event data, manifest, latest pointer) that is not valid: the message lists every
 * violation, each naming its field.
 */
public class InvalidDocumentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    /** @param what names the document, e.g. {@code manifest acme/orders/v1/raw/_manifest.json} */
    public InvalidDocumentException(String what, List<Violation> violations, Throwable cause) {
        super("invalid " + what + ": " + String.join("; ", violations.stream().map(Violation::toString).toList()), cause);
        this.violations = List.copyOf(violations);
    }

    /** Every problem found, each naming its field (an empty field: the document as a whole). */
    public List<Violation> violations() {
        return violations;
    }

    /** The violations as {@code field: message} lines. */
    public List<String> problems() {
        return violations.stream().map(Violation::toString).toList();
    }
}
