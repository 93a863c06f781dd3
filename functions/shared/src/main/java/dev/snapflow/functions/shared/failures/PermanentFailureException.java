package dev.snapflow.functions.shared.failures;

/** Thrown by code that knows the failure will recur for the same input (a malformed document, a refused value). */
public class PermanentFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PermanentFailureException(String message) {
        super(message);
    }

    public PermanentFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
