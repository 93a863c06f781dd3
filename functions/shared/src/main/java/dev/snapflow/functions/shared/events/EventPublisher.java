package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;

/**
 * Sends one control-plane event to the broker. {@link #publish} returns only after the broker acknowledged
 * the event; the caller may then mark it as sent (e.g. its outbox row).
 */
public interface EventPublisher {
    /** @throws EventPublishException when the broker did not acknowledge the event */
    void publish(CloudEvent event);
}
