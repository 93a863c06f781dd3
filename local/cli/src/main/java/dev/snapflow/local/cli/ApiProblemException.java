package dev.snapflow.local.cli;

/** The API answered with an error status; the message carries its problem+json title and detail. */
final class ApiProblemException extends CliException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ApiProblemException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
