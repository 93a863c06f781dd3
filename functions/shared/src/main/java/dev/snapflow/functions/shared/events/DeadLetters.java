package dev.snapflow.functions.shared.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Parks records that can never be handled on the dead-letter topic, unchanged (same key, value and
 * CloudEvents headers) plus the reason, source topic and consumer group, so a human can fix and replay them.
 */
@Singleton
@Requires(property = "snapflow.events.transport", value = "kafka")
public class DeadLetters implements AutoCloseable {
    public static final String REASON_HEADER = "snapflow-dead-letter-reason";
    public static final String SOURCE_TOPIC_HEADER = "snapflow-dead-letter-topic";
    public static final String GROUP_HEADER = "snapflow-dead-letter-group";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final KafkaProducer<String, byte[]> producer;
    private final TransportConfiguration config;
    private final MeterRegistry meters;

    public DeadLetters(@Value("${kafka.bootstrap.servers}") String bootstrapServers, TransportConfiguration config,
                       MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, config.consumerGroup() + "-dead-letters"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Returns after the dead-letter topic acknowledged; otherwise throws, so the record is not committed. */
    public void send(ConsumerRecord<String, byte[]> record, String reason) {
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(config.deadLetterTopic(), record.key(), record.value());
        for (Header header : record.headers()) {
            dead.headers().add(header);
        }
        dead.headers().add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        dead.headers().add(SOURCE_TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        dead.headers().add(GROUP_HEADER, config.consumerGroup().getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("interrupted while dead-lettering", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EventPublishException("dead-letter topic did not acknowledge", e);
        }
        meters.counter("snapflow.events.dead_letters", "topic", record.topic()).increment();
        LOG.warn("dead-lettered record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close();
    }
}
