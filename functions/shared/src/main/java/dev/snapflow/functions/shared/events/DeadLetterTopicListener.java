package dev.snapflow.functions.shared.events;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.persistence.DeadLetterStore;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
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
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

/**
 * Records every dead letter in the {@code dead_letters} table, where operators list, show and replay them
 * (the admin API). Runs in validate only ({@code snapflow.dead-letters.record=true}): every function dead-letters
 * to the one topic (launch has no database), and one reader keeps one writer of the table. Recording is
 * idempotent by the record's topic, partition and offset. A database outage makes it wait and retry (nothing is
 * committed before it is stored); a row that cannot be stored is impossible by construction (bounded size, text
 * cleaned of NUL), so this listener has no dead letter of its own.
 */
@Requires(property = "snapflow.events.transport", value = "kafka")
@Requires(property = "snapflow.dead-letters.record", value = "true")
@Requires(beans = DeadLetterStore.class)
@KafkaListener(groupId = "${snapflow.events.consumer-group}-dead-letters",
        clientId = "${snapflow.events.consumer-group}-dead-letters",
        offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryDelay = "2s",
                retryCount = Integer.MAX_VALUE),
        properties = {
                @Property(name = ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                        value = "org.apache.kafka.common.serialization.StringDeserializer"),
                @Property(name = ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                        value = "org.apache.kafka.common.serialization.ByteArrayDeserializer")
        })
public class DeadLetterTopicListener {
    private final DeadLetterStore store;

    public DeadLetterTopicListener(DeadLetterStore store) {
        this.store = store;
    }

    @Topic("${snapflow.events.dead-letter-topic:snapflow-dead-letter}")
    public void receive(ConsumerRecord<String, byte[]> record) {
        store.record(incoming(record));
    }

    /** What the table keeps of one dead-letter record. */
    static DeadLetterStore.Incoming incoming(ConsumerRecord<String, byte[]> record) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        boolean truncated = "true".equals(header(record, DeadLetters.TRUNCATED_HEADER));
        String size = header(record, DeadLetters.ORIGINAL_SIZE_HEADER);
        String digest = header(record, DeadLetters.DIGEST_HEADER);
        String origin = record.topic() + "/" + record.partition() + "@" + record.offset();
        String reason = header(record, DeadLetters.REASON_HEADER);
        String sourceTopic = header(record, DeadLetters.SOURCE_TOPIC_HEADER);
        String group = header(record, DeadLetters.GROUP_HEADER);
        int originalSize = size == null ? value.length : Integer.parseInt(size);
        String sha256 = digest == null ? DeadLetters.sha256(value) : digest;
        if (!truncated) {
            try {
                CloudEvent event = KafkaMessageFactory.createReader(record).toEvent();
                return new DeadLetterStore.Incoming(origin, event.getId(), event.getType(),
                        Events.partitionKey(event).orElse(record.key()), sourceTopic, group,
                        reason == null ? "no reason given" : reason, Events.toJson(event), true, originalSize, sha256);
            } catch (RuntimeException malformed) {
                // kept as it came, not replayable
            }
        }
        return new DeadLetterStore.Incoming(origin, header(record, "ce_id"), header(record, "ce_type"), record.key(),
                sourceTopic, group, reason == null ? "no reason given" : reason, value, false, originalSize, sha256);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
