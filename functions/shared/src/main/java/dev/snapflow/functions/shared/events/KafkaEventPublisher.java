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

import java.util.Map;
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
        String key = Events.partitionKey(event).orElse(null);
        ProducerRecord<String, byte[]> record = KafkaMessageFactory
                .createWriter(config.topicFor(event.getType()), key)
                .writeBinary(event);
        try {
            producer.send(record).get(35, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("interrupted while publishing " + event.getId(), e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new EventPublishException("Kafka did not acknowledge event " + event.getId() + " of type "
                    + event.getType() + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close();
    }
}
