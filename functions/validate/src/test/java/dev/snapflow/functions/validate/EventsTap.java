package dev.snapflow.functions.validate;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Reads a topic from the beginning (own group) and keeps every CloudEvent seen, for assertions. */
final class EventsTap implements AutoCloseable {
    private final KafkaConsumer<String, CloudEvent> consumer;
    private final List<ConsumerRecord<String, CloudEvent>> seen = new CopyOnWriteArrayList<>();

    EventsTap(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "tap-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new CloudEventDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls once more and returns every record seen so far that matches. */
    List<ConsumerRecord<String, CloudEvent>> poll(Predicate<CloudEvent> filter) {
        consumer.poll(Duration.ofMillis(300)).forEach(seen::add);
        return seen.stream().filter(r -> r.value() != null && filter.test(r.value())).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
