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
 * Local entry point for job messages ({@code snapflow-jobs}): only launch consumes them (set
 * {@code snapflow.events.consume-jobs=true}). Same retry and dead-letter rules as the events topic.
 */
@Requires(property = "snapflow.events.transport", value = "kafka")
@Requires(property = "snapflow.events.consume-jobs", value = "true")
@KafkaListener(groupId = "${snapflow.events.consumer-group}",
        clientId = "${snapflow.events.consumer-group}-jobs",
        offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR,
                // The listener only re-polls; KafkaEntryPoint bounds the retries (FailureBudget) and times the backoff.
                retryDelay = "${snapflow.events.retry.recheck-interval:200ms}", retryCount = Integer.MAX_VALUE),
        properties = {
                @Property(name = ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                        value = "org.apache.kafka.common.serialization.StringDeserializer"),
                @Property(name = ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                        value = "org.apache.kafka.common.serialization.ByteArrayDeserializer")
        })
public class JobsTopicListener {
    private final KafkaEntryPoint entryPoint;

    public JobsTopicListener(KafkaEntryPoint entryPoint) {
        this.entryPoint = entryPoint;
    }

    @Topic("${snapflow.events.jobs-topic:snapflow-jobs}")
    public void receive(ConsumerRecord<String, byte[]> record) {
        entryPoint.receive(record);
    }
}
