package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;

/** A failure the job understands: its class tells the control plane whether another attempt can help. */
public final class JobFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorClass errorClass;

    public JobFailure(ErrorClass errorClass, String message) {
        super(message);
        this.errorClass = errorClass;
    }

    public JobFailure(ErrorClass errorClass, String message, Throwable cause) {
        super(message, cause);
        this.errorClass = errorClass;
    }

    public ErrorClass errorClass() {
        return errorClass;
    }
}
