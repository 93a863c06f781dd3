package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.failures.FailureBudget;
import dev.snapflow.functions.shared.failures.FailureKind;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The local entry point's logic, shared by the topic listeners: decode the CloudEvents Kafka binding,
 * dispatch by type, and turn the outcome into "commit", "retry" (an exception: micronaut-kafka seeks back and
 * redelivers) or "dead letter, then commit". Types without a handler here are someone else's and are skipped.
 *
 * <p>Retries are bounded by the {@link FailureBudget}: this class remembers, per partition, the record that
 * failed, how often and since when, and when it may be tried again (exponential backoff with jitter). A
 * redelivery that comes before that time is sent back without calling the handler (micronaut-kafka redelivers
 * after its short fixed delay); when the budget is spent the record is dead-lettered and the partition moves on.
 */
@Singleton
@Requires(property = "snapflow.events.transport", value = "kafka")
public class KafkaEntryPoint {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEntryPoint.class);

    private final EventDispatcher dispatcher;
    private final DeadLetters deadLetters;
    private final FailureBudget budget;
    private final Clock clock = Clock.systemUTC();
    /** The failing record of each partition ("topic-partition"), if any. */
    private final Map<String, Failing> failing = new ConcurrentHashMap<>();

    public KafkaEntryPoint(EventDispatcher dispatcher, DeadLetters deadLetters, RetryConfiguration retry) {
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.budget = retry.budget();
    }

    private record Failing(long offset, int attempts, Instant firstFailure, Instant nextAttempt) {
    }

    public void receive(ConsumerRecord<String, byte[]> record) {
        String partition = record.topic() + "-" + record.partition();
        Failing previous = failing.get(partition);
        if (previous != null && previous.offset() != record.offset()) {
            failing.remove(partition);
            previous = null;
        }
        Instant now = clock.instant();
        if (previous != null && now.isBefore(previous.nextAttempt())) {
            throw new RetryLaterException("record " + partition + "@" + record.offset() + " waits for its backoff until "
                    + previous.nextAttempt());
        }
        CloudEvent event;
        try {
            event = KafkaMessageFactory.createReader(record).toEvent();
        } catch (RuntimeException e) {
            deadLetters.send(record, "permanent: malformed CloudEvent: " + e.getMessage());
            return;
        }
        if (dispatcher.handlerFor(event.getType()).isEmpty()) {
            return;
        }
        switch (dispatcher.dispatch(event, "kafka")) {
            case HandlingOutcome.Done d -> {
                failing.remove(partition);
                LOG.debug("handled {} {}", event.getType(), event.getId());
            }
            case HandlingOutcome.Reject r -> {
                deadLetters.send(record, r.reason());
                failing.remove(partition);
            }
            case HandlingOutcome.Retry r -> {
                int attempts = previous == null ? 1 : previous.attempts() + 1;
                Instant first = previous == null ? now : previous.firstFailure();
                FailureKind kind = r.unknown() ? FailureKind.UNKNOWN : FailureKind.TRANSIENT;
                switch (budget.decide(kind, r.backPressure(), attempts, first, now, ThreadLocalRandom.current()::nextDouble)) {
                    case FailureBudget.RetryAt at -> {
                        failing.put(partition, new Failing(record.offset(), attempts, first, at.at()));
                        throw new RetryLaterException("event " + event.getId() + " of type " + event.getType()
                                + " will be redelivered after " + at.at() + " (attempt " + attempts + "): " + r.reason());
                    }
                    case FailureBudget.DeadLetter dead -> {
                        deadLetters.send(record, r.reason() + " [" + dead.reason() + "]");
                        failing.remove(partition);
                    }
                }
            }
        }
    }

    /** Thrown to make micronaut-kafka seek back to the record and deliver it again after the retry delay. */
    public static final class RetryLaterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RetryLaterException(String message) {
            super(message, null, false, false);
        }
    }
}
