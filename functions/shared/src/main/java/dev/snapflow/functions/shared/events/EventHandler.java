package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;

import java.util.Set;

/**
 * Handles the CloudEvents of some types. Every bean implementing this is reachable both over HTTP
 * ({@code POST /}, Knative) and from the Kafka topics (local), through {@link EventDispatcher}; exactly one
 * handler may claim a type within one function.
 */
public interface EventHandler {
    /** The CloudEvent types this handler handles, e.g. {@code dev.snapflow.job.requested.v1}. */
    Set<String> eventTypes();

    /** Handles one event; must be idempotent (every transport may deliver an event more than once). */
    HandlingOutcome handle(CloudEvent event);
}
