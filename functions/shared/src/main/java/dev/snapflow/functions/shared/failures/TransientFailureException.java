package dev.snapflow.functions.shared.failures;

/** Thrown by code that knows the failure is a dependency being unavailable, so retrying later will help. */
public class TransientFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransientFailureException(String message) {
        super(message);
    }

    public TransientFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
