package dev.snapflow.spark;

/** The command line or environment is wrong; the message is the one-line reason printed before exiting. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
