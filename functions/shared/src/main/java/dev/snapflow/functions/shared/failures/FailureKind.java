package dev.snapflow.functions.shared.failures;

/** What a failure says about the event that caused it; decides between retrying and dead-lettering. */
public enum FailureKind {
    /** A dependency is down or busy (connection refused, timeout, serialization conflict, S3 5xx/throttling): retry. */
    TRANSIENT,
    /** The event or its data can never be handled (invalid data, a value the database refuses, S3 403/404): dead letter now. */
    PERMANENT,
    /** Nothing known about it (a bug, an unexpected exception): a bounded budget of retries, then the dead letter. */
    UNKNOWN
}
