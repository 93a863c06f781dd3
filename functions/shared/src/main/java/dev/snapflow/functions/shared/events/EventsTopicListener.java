package dev.snapflow.functions.shared.events;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Local entry point for all control-plane events ({@code snapflow-events}); each function consumes it in its
 * own group. A Retry outcome makes micronaut-kafka seek back and redeliver the record; {@link KafkaEntryPoint}
 * spaces the attempts (exponential backoff) and dead-letters the record when its failure budget is spent, so no
 * partition waits behind one event for longer than the budget.
 *
 * <p>Offsets are committed once per poll ({@link OffsetStrategy#SYNC}), not per record: every function reads the
 * whole topic, mostly events it skips (validate sees each process.accepted it published), and a synchronous
 * commit per record cost a broker round trip each. A retried record is never committed past (micronaut-kafka
 * seeks back to it and drops its partition's pending offset); a crash before the commit redelivers the records
 * of that poll, which the idempotent handlers tolerate as they tolerate any redelivery.
 */
@Requires(property = "snapflow.events.transport", value = "kafka")
@KafkaListener(groupId = "${snapflow.events.consumer-group}",
        clientId = "${snapflow.events.consumer-group}-events",
        offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR,
                // The listener only re-polls; KafkaEntryPoint bounds the retries (FailureBudget) and times the backoff.
                retryDelay = "${snapflow.events.retry.recheck-interval:200ms}", retryCount = Integer.MAX_VALUE),
        properties = {
                @Property(name = ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                        value = "org.apache.kafka.common.serialization.StringDeserializer"),
                @Property(name = ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                        value = "org.apache.kafka.common.serialization.ByteArrayDeserializer")
        })
public class EventsTopicListener {
    private final KafkaEntryPoint entryPoint;

    public EventsTopicListener(KafkaEntryPoint entryPoint) {
        this.entryPoint = entryPoint;
    }

    @Topic("${snapflow.events.events-topic:snapflow-events}")
    public void receive(ConsumerRecord<String, byte[]> record) {
        entryPoint.receive(record);
    }
}
