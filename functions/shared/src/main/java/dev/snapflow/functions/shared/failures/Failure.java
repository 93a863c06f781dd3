package dev.snapflow.functions.shared.failures;

import java.util.Objects;

/**
 * A classified failure.
 *
 * @param kind   transient, permanent or unknown
 * @param reason one line for logs and dead letters: the rule that matched and the exception's message
 */
public record Failure(FailureKind kind, String reason) {
    public Failure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }
}
