package dev.snapflow.local.stack;

/**
 * A component of the local stack did not start. The message names the component and, for a server the stack runs,
 * its log file under the work dir, e.g. "port 9092 for Kafka is already in use".
 */
public final class LocalStackStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String component;

    LocalStackStartException(String component, String message) {
        super(message);
        this.component = component;
    }

    LocalStackStartException(String component, String message, Throwable cause) {
        super(message, cause);
        this.component = component;
    }

    /** "Kafka", "S3" or "PostgreSQL". */
    public String component() {
        return component;
    }
}
