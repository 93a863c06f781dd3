package dev.snapflow.functions.shared.events;

import dev.snapflow.contracts.events.Events;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes with the CloudEvents Kafka binding (binary mode). The record key is the event's
 * {@code partitionkey} extension (tenant/entity), so everything about one entity stays in order on one
 * partition. job.requested goes to the jobs topic, everything else to the events topic.
 */
@Singleton
@Requires(property = "snapflow.events.transport", value = "kafka")
public class KafkaEventPublisher implements EventPublisher, AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final TransportConfiguration config;

    public KafkaEventPublisher(@Value("${kafka.bootstrap.servers}") String bootstrapServers,
                               TransportConfiguration config) {
        this.config = config;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.CLIENT_ID_CONFIG, config.consumerGroup() + "-publisher"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void publish(CloudEvent event) {
        publishAll(List.of(event));
    }

    /**
     * Sends all events before waiting for any acknowledgement, so a batch costs about one broker round trip
     * instead of one per event (the producer batches records of a partition). The producer is idempotent, so
     * the records of one partition are written in the order sent.
     */
    @Override
    public int publishAll(List<CloudEvent> events) {
        List<Future<?>> sent = new ArrayList<>(events.size());
        EventPublishException refused = null;
        for (CloudEvent event : events) {
            try {
                sent.add(producer.send(record(event)));
            } catch (RuntimeException e) {
                refused = failure(event, e);
                break;
            }
        }
        for (int i = 0; i < sent.size(); i++) {
            CloudEvent event = events.get(i);
            try {
                sent.get(i).get(35, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                refused = new EventPublishException("interrupted while publishing " + event.getId(), e);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                refused = failure(event, e);
            }
            if (refused != null) {
                if (i == 0) {
                    throw refused;
                }
                return i;
            }
        }
        if (refused != null && sent.isEmpty()) {
            throw refused;
        }
        return sent.size();
    }

    private ProducerRecord<String, byte[]> record(CloudEvent event) {
        String key = Events.partitionKey(event).orElse(null);
        return KafkaMessageFactory.createWriter(config.topicFor(event.getType()), key).writeBinary(event);
    }

    private static EventPublishException failure(CloudEvent event, Exception e) {
        return new EventPublishException("Kafka did not acknowledge event " + event.getId() + " of type "
                + event.getType() + ": " + e.getMessage(), e);
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close();
    }
}
