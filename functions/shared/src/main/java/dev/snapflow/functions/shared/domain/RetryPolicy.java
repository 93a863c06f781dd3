package dev.snapflow.functions.shared.domain;

import dev.snapflow.contracts.jobs.ErrorClass;

import java.time.Duration;

/**
 * Whether and when a failed attempt is tried again: only for a retryable {@link ErrorClass}, only while the
 * action's max attempts are not used up, after an exponential backoff ({@code base * 2^(attempt-1)}, capped).
 */
public record RetryPolicy(Duration baseDelay, Duration maxDelay) {

    public RetryPolicy {
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("retry delays must satisfy 0 <= base <= max");
        }
    }

    public boolean shouldRetry(ErrorClass errorClass, int failedAttempt, int maxAttempts) {
        return errorClass != null && errorClass.retryable() && failedAttempt < maxAttempts;
    }

    /** The wait before attempt {@code failedAttempt + 1}. */
    public Duration delayAfter(int failedAttempt) {
        long factor = 1L << Math.min(20, Math.max(0, failedAttempt - 1));
        Duration delay = baseDelay.multipliedBy(factor);
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
