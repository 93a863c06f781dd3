package dev.snapflow.functions.shared.events;

import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.InvalidEventException;
import dev.snapflow.functions.shared.logging.LogContext;
import io.cloudevents.CloudEvent;

import java.util.Set;

/**
 * An {@link EventHandler} for the one event type whose data is {@code T}. Reading and checking the data is done
 * here, once: an event that does not read as {@code T} is rejected (HTTP 400 / dead letter) with the codec's
 * message naming the field, and the subclass only sees valid data.
 */
public abstract class TypedEventHandler<T> implements EventHandler {
    private final Class<T> dataClass;
    private final Set<String> eventTypes;

    protected TypedEventHandler(Class<T> dataClass) {
        this.dataClass = dataClass;
        this.eventTypes = Set.of(EventTypes.typeOf(dataClass));
    }

    @Override
    public final Set<String> eventTypes() {
        return eventTypes;
    }

    @Override
    public final HandlingOutcome handle(CloudEvent event) {
        T data;
        try {
            data = Events.read(event, dataClass);
        } catch (InvalidEventException e) {
            return HandlingOutcome.reject(e.getMessage());
        }
        try (LogContext ids = LogContext.open().data(data)) {
            return handle(data, event);
        }
    }

    /** Handles valid data of one event; must be idempotent, as every transport may deliver an event again. */
    protected abstract HandlingOutcome handle(T data, CloudEvent event);
}
