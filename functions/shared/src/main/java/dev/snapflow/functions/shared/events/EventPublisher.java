package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;

import java.util.List;

/**
 * Sends control-plane events to the broker. {@link #publish} returns only after the broker acknowledged
 * the event; the caller may then mark it as sent (e.g. its outbox row).
 */
public interface EventPublisher {
    /** @throws EventPublishException when the broker did not acknowledge the event */
    void publish(CloudEvent event);

    /**
     * Publishes events in order and returns how many of them, from the first on, the broker acknowledged: the
     * caller may mark exactly that many as sent. Fails only when not even the first was acknowledged.
     * This default sends one at a time; a transport that can keep several in flight overrides it.
     *
     * @throws EventPublishException when the first event was not acknowledged
     */
    default int publishAll(List<CloudEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            try {
                publish(events.get(i));
            } catch (EventPublishException e) {
                if (i == 0) {
                    throw e;
                }
                return i;
            }
        }
        return events.size();
    }
}
