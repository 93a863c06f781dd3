package dev.snapflow.local.stack;

/**
 * A component of the local stack did not start. The message names the component and, for a server the stack runs,
 * its log file under the work dir, e.g. "port 9092 for Kafka is already in use".
 */
public final class LocalStackStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String component;
    private final boolean portInUse;

    LocalStackStartException(String component, String message) {
        this(component, message, null, false);
    }

    LocalStackStartException(String component, String message, Throwable cause) {
        this(component, message, cause, false);
    }

    private LocalStackStartException(String component, String message, Throwable cause, boolean portInUse) {
        super(message, cause);
        this.component = component;
        this.portInUse = portInUse;
    }

    static LocalStackStartException portInUse(String component, int port, String detail) {
        return new LocalStackStartException(component,
                "port " + port + " for " + component + " is already in use" + (detail.isEmpty() ? "" : "; " + detail),
                null, true);
    }

    /** The component's port was taken by another process: with a free port (0) the stack tries another one. */
    boolean isPortInUse() {
        return portInUse;
    }

    /** "Kafka", "S3" or "PostgreSQL". */
    public String component() {
        return component;
    }
}
