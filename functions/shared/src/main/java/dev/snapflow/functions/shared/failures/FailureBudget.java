package dev.snapflow.functions.shared.failures;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * How long one event may hold its partition. Pure: the caller keeps the count and the time of the first failure.
 *
 * <ul>
 *   <li>permanent: dead letter at once;</li>
 *   <li>unknown: retried until {@code unknownMaxAttempts} attempts have failed or {@code unknownMaxTime} has
 *       passed since the first failure, then the dead letter;</li>
 *   <li>transient: retried until {@code transientMaxTime} has passed since the first failure, then the dead
 *       letter (a dependency down longer than that is an outage; the event is kept and can be replayed);</li>
 *   <li>back-pressure (a handler holding back on purpose, e.g. launch at capacity): retried without a budget
 *       and without growing backoff (every {@code initialDelay}, jittered), because it is not a failure of the
 *       event, every later event of the partition would wait as well, and capacity frees at any moment.</li>
 * </ul>
 * Between attempts: exponential backoff from {@code initialDelay}, doubled per failed attempt, capped at
 * {@code maxDelay}, with "equal jitter" (a random delay between half and all of it) so replicas that failed
 * together do not retry together.
 */
public record FailureBudget(Duration initialDelay, Duration maxDelay, int unknownMaxAttempts, Duration unknownMaxTime,
                            Duration transientMaxTime) {

    public FailureBudget {
        if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("retry delays: need 0 < initialDelay <= maxDelay");
        }
        if (unknownMaxAttempts < 1) {
            throw new IllegalArgumentException("unknownMaxAttempts must be 1 or more");
        }
    }

    /** What to do after the {@code failedAttempts}-th failed attempt (1 for the first). */
    public sealed interface Decision permits RetryAt, DeadLetter {
    }

    public record RetryAt(Instant at) implements Decision {
    }

    /** @param reason why the budget ended, for the dead letter */
    public record DeadLetter(String reason) implements Decision {
    }

    public Decision decide(FailureKind kind, boolean backPressure, int failedAttempts, Instant firstFailure,
                           Instant now, DoubleSupplier random) {
        Duration waited = Duration.between(firstFailure, now);
        if (!backPressure) {
            switch (kind) {
                case PERMANENT -> {
                    return new DeadLetter("permanent failure");
                }
                case UNKNOWN -> {
                    if (failedAttempts >= unknownMaxAttempts || waited.compareTo(unknownMaxTime) >= 0) {
                        return new DeadLetter("unknown failure, retry budget spent (" + failedAttempts + " attempts in "
                                + waited.toMillis() + " ms; budget " + unknownMaxAttempts + " attempts or " + unknownMaxTime + ")");
                    }
                }
                case TRANSIENT -> {
                    if (waited.compareTo(transientMaxTime) >= 0) {
                        return new DeadLetter("transient failure for longer than the budget (" + transientMaxTime + ", "
                                + failedAttempts + " attempts)");
                    }
                }
            }
        }
        return new RetryAt(now.plus(delay(backPressure ? 1 : failedAttempts, random)));
    }

    /** Backoff before the next attempt: initialDelay * 2^(failedAttempts-1), capped, with equal jitter. */
    Duration delay(int failedAttempts, DoubleSupplier random) {
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 40);
        long capped = (long) Math.min(maxDelay.toMillis(), initialDelay.toMillis() * Math.pow(2, doublings));
        long half = capped / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (capped - half)));
    }
}
