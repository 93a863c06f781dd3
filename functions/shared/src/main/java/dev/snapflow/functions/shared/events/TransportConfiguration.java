package dev.snapflow.functions.shared.events;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * How this function sends and receives events ({@code snapflow.transport}, env SNAPFLOW_TRANSPORT):
 * {@code kafka} locally (topics below), {@code http} on Knative (publish to {@code K_SINK}).
 *
 * @param transport      kafka or http
 * @param sink           the Knative sink URL (env K_SINK); required when transport is http
 * @param eventsTopic    topic of all control-plane events
 * @param jobsTopic      topic of job.requested events (consumed by launch)
 * @param deadLetterTopic where rejected events go
 * @param consumerGroup  this function's consumer group
 * @param consumeJobs    true only in launch: consume the jobs topic as well
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.events")
public record TransportConfiguration(
        @NotNull Transport transport,
        @Nullable String sink,
        @Bindable(defaultValue = "snapflow-events") @NotBlank String eventsTopic,
        @Bindable(defaultValue = "snapflow-jobs") @NotBlank String jobsTopic,
        @Bindable(defaultValue = "snapflow-dead-letter") @NotBlank String deadLetterTopic,
        @NotBlank String consumerGroup,
        @Bindable(defaultValue = "false") boolean consumeJobs) {

    public enum Transport { KAFKA, HTTP }

    public TransportConfiguration {
        if (transport == Transport.HTTP && (sink == null || sink.isBlank())) {
            throw new IllegalArgumentException(
                    "snapflow.events.sink (env K_SINK) must be set when snapflow.events.transport (env SNAPFLOW_TRANSPORT) is http");
        }
    }

    /** The topic an event of this type is published to. */
    public String topicFor(String eventType) {
        return dev.snapflow.contracts.events.EventTypes.JOB_REQUESTED.equals(eventType) ? jobsTopic : eventsTopic;
    }
}
