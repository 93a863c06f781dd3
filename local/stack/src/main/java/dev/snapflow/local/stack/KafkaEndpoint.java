package dev.snapflow.local.stack;

/** Where the stack's Kafka broker listens (PLAINTEXT, no authentication). */
public record KafkaEndpoint(String bootstrapServers) {
}
