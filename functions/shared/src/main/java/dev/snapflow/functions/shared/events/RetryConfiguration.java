package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.failures.FailureBudget;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.time.Duration;

/**
 * How long the Kafka entry point retries one event before it dead-letters it ({@code snapflow.events.retry};
 * see {@link FailureBudget}). The defaults bound the wait of a partition behind one event to about 2 minutes
 * for an unknown failure and 10 minutes for a transient one; a permanent failure does not wait at all.
 *
 * @param initialDelay       first backoff, doubled per failed attempt (env SNAPFLOW_EVENT_RETRY_DELAY)
 * @param maxDelay           backoff cap (env SNAPFLOW_EVENT_RETRY_MAX_DELAY)
 * @param unknownMaxAttempts attempts of an unknown failure before the dead letter (env SNAPFLOW_EVENT_UNKNOWN_MAX_ATTEMPTS)
 * @param unknownMaxTime     time since the first failure after which an unknown failure is dead-lettered
 *                           (env SNAPFLOW_EVENT_UNKNOWN_MAX_TIME)
 * @param transientMaxTime   time since the first failure after which a transient failure is dead-lettered
 *                           (env SNAPFLOW_EVENT_TRANSIENT_MAX_TIME)
 * @param maxDeadLetterBytes largest value a dead letter keeps; a larger event is stored truncated with its
 *                           original size and SHA-256 digest (env SNAPFLOW_DEAD_LETTER_MAX_BYTES; below the
 *                           broker's 1 MiB message limit)
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.events.retry")
public record RetryConfiguration(
        @Bindable(defaultValue = "500ms") @NotNull Duration initialDelay,
        @Bindable(defaultValue = "10s") @NotNull Duration maxDelay,
        @Bindable(defaultValue = "5") @Min(1) @Max(1000) int unknownMaxAttempts,
        @Bindable(defaultValue = "2m") @NotNull Duration unknownMaxTime,
        @Bindable(defaultValue = "10m") @NotNull Duration transientMaxTime,
        @Bindable(defaultValue = "524288") @Min(1024) @Max(900000) int maxDeadLetterBytes) {

    public RetryConfiguration {
        if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("snapflow.events.retry.initial-delay (env SNAPFLOW_EVENT_RETRY_DELAY) must be"
                    + " positive and at most snapflow.events.retry.max-delay (env SNAPFLOW_EVENT_RETRY_MAX_DELAY)");
        }
    }

    public FailureBudget budget() {
        return new FailureBudget(initialDelay, maxDelay, unknownMaxAttempts, unknownMaxTime, transientMaxTime);
    }
}
