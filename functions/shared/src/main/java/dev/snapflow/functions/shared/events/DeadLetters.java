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
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Parks records that can never be handled on the dead-letter topic, unchanged (same key, value and
 * CloudEvents headers) plus the reason, source topic and consumer group, so a human can fix and replay them.
 * Every dead letter carries the original value's size and SHA-256 digest; a value larger than
 * {@code snapflow.events.retry.max-dead-letter-bytes} is cut to that size (marked truncated), so a dead letter
 * never exceeds the broker's message limit and is never lost silently or retried forever.
 */
@Singleton
@Requires(property = "snapflow.events.transport", value = "kafka")
public class DeadLetters implements AutoCloseable {
    public static final String REASON_HEADER = "snapflow-dead-letter-reason";
    public static final String SOURCE_TOPIC_HEADER = "snapflow-dead-letter-topic";
    public static final String GROUP_HEADER = "snapflow-dead-letter-group";
    public static final String ORIGINAL_SIZE_HEADER = "snapflow-dead-letter-original-size";
    public static final String DIGEST_HEADER = "snapflow-dead-letter-sha256";
    public static final String TRUNCATED_HEADER = "snapflow-dead-letter-truncated";
    private static final int MAX_REASON_CHARS = 2000;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final KafkaProducer<String, byte[]> producer;
    private final TransportConfiguration config;
    private final MeterRegistry meters;
    private final int maxBytes;

    public DeadLetters(@Value("${kafka.bootstrap.servers}") String bootstrapServers, TransportConfiguration config,
                       RetryConfiguration retry, MeterRegistry meters) {
        this.config = config;
        this.maxBytes = retry.maxDeadLetterBytes();
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
        byte[] value = record.value() == null ? new byte[0] : record.value();
        int headerBytes = 0;
        for (Header header : record.headers()) {
            headerBytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        // keep the whole record within maxBytes: the value gives way first, then the original headers
        int room = Math.max(0, maxBytes - headerBytes - MAX_REASON_CHARS * 3 - 512);
        boolean truncated = value.length > room;
        try {
            producer.send(deadLetter(record, reason, value, truncated ? Arrays.copyOf(value, room) : value,
                    truncated, true)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof RecordTooLargeException)) {
                throw new EventPublishException("dead-letter topic did not acknowledge", e);
            }
            // the broker's limit is lower than ours: keep the reason, size and digest, drop value and headers
            truncated = true;
            await(deadLetter(record, reason, value, new byte[0], true, false));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("interrupted while dead-lettering", e);
        } catch (TimeoutException e) {
            throw new EventPublishException("dead-letter topic did not acknowledge", e);
        }
        meters.counter("snapflow.events.dead_letters", "topic", record.topic(), "truncated", String.valueOf(truncated))
                .increment();
        LOG.warn("dead-lettered record {}-{}@{} ({} bytes{}): {}", record.topic(), record.partition(), record.offset(),
                value.length, truncated ? ", truncated" : "", reason);
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason, byte[] original,
                                                      byte[] kept, boolean truncated, boolean withOriginalHeaders) {
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(config.deadLetterTopic(), record.key(), kept);
        if (withOriginalHeaders) {
            for (Header header : record.headers()) {
                dead.headers().add(header);
            }
        }
        String shortReason = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "…" : reason;
        dead.headers().add(REASON_HEADER, shortReason.getBytes(StandardCharsets.UTF_8));
        dead.headers().add(SOURCE_TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        dead.headers().add(GROUP_HEADER, config.consumerGroup().getBytes(StandardCharsets.UTF_8));
        dead.headers().add(ORIGINAL_SIZE_HEADER, String.valueOf(original.length).getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DIGEST_HEADER, sha256(original).getBytes(StandardCharsets.UTF_8));
        dead.headers().add(TRUNCATED_HEADER, String.valueOf(truncated).getBytes(StandardCharsets.UTF_8));
        return dead;
    }

    private void await(ProducerRecord<String, byte[]> dead) {
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("interrupted while dead-lettering", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EventPublishException("dead-letter topic did not acknowledge", e);
        }
    }

    /** Lower-case hex SHA-256, the digest dead letters carry of their original value. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close();
    }
}
