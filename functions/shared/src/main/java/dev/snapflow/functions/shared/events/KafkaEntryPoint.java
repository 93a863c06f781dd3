package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local entry point's logic, shared by the topic listeners: decode the CloudEvents Kafka binding,
 * dispatch by type, and turn the outcome into "commit", "retry" (an exception: micronaut-kafka seeks back and
 * redelivers after a delay) or "dead letter, then commit". Types without a handler here are someone else's
 * and are skipped.
 */
@Singleton
@Requires(property = "snapflow.events.transport", value = "kafka")
public class KafkaEntryPoint {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEntryPoint.class);

    private final EventDispatcher dispatcher;
    private final DeadLetters deadLetters;

    public KafkaEntryPoint(EventDispatcher dispatcher, DeadLetters deadLetters) {
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
    }

    public void receive(ConsumerRecord<String, byte[]> record) {
        CloudEvent event;
        try {
            event = KafkaMessageFactory.createReader(record).toEvent();
        } catch (RuntimeException e) {
            deadLetters.send(record, "malformed CloudEvent: " + e.getMessage());
            return;
        }
        if (dispatcher.handlerFor(event.getType()).isEmpty()) {
            return;
        }
        switch (dispatcher.dispatch(event, "kafka")) {
            case HandlingOutcome.Done d -> LOG.debug("handled {} {}", event.getType(), event.getId());
            case HandlingOutcome.Retry r -> throw new RetryLaterException(
                    "event " + event.getId() + " of type " + event.getType() + " will be redelivered: " + r.reason());
            case HandlingOutcome.Reject r -> deadLetters.send(record, r.reason());
        }
    }

    /** Thrown to make micronaut-kafka seek back to the record and deliver it again after the retry delay. */
    public static final class RetryLaterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RetryLaterException(String message) {
            super(message);
        }
    }
}
