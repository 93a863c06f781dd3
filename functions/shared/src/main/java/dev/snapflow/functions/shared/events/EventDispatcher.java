package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.failures.Failure;
import dev.snapflow.functions.shared.failures.FailureClassifier;
import dev.snapflow.functions.shared.logging.LogContext;
import dev.snapflow.functions.shared.metrics.Outcome;
import dev.snapflow.functions.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place an incoming CloudEvent meets its handler, whatever transport brought it. Fails at startup
 * when two handlers claim the same type, so routing is never ambiguous.
 */
@Singleton
public class EventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final Map<String, EventHandler> handlersByType = new HashMap<>();
    private final MeterRegistry meters;
    private final KnativeDeadLetters knativeDeadLetters;
    private final EventTracing tracing;

    /** @param knativeDeadLetters present in validate only: where dead letters delivered over HTTP are recorded */
    public EventDispatcher(List<EventHandler> handlers, MeterRegistry meters,
                           @Nullable KnativeDeadLetters knativeDeadLetters, EventTracing tracing) {
        this.meters = meters;
        this.tracing = tracing;
        this.knativeDeadLetters = knativeDeadLetters;
        for (EventHandler handler : handlers) {
            for (String type : handler.eventTypes()) {
                EventHandler previous = handlersByType.putIfAbsent(type, handler);
                if (previous != null) {
                    throw new IllegalStateException("two handlers claim event type " + type + ": "
                            + previous.getClass().getName() + " and " + handler.getClass().getName());
                }
            }
        }
    }

    /** The types this function handles. */
    public Set<String> handledTypes() {
        return new TreeSet<>(handlersByType.keySet());
    }

    public Optional<EventHandler> handlerFor(String type) {
        return Optional.ofNullable(handlersByType.get(type));
    }

    /**
     * Hands the event to its handler. An exception escaping a handler is classified
     * ({@link FailureClassifier}): permanent is a Reject (the dead letter, with the reason), transient a Retry,
     * unknown a Retry marked unknown, which the entry points retry within a small budget only.
     *
     * @param transport {@code http} or {@code kafka}, for metrics and logs
     */
    public HandlingOutcome dispatch(CloudEvent event, String transport) {
        // the event's ids on every line logged while it is handled (JSON logs: fields)
        try (LogContext ids = LogContext.forEvent(event)) {
            return traced(event, transport);
        }
    }

    private HandlingOutcome traced(CloudEvent event, String transport) {
        // The handler runs under this event's consumer span, so what it writes (outbox rows) continues the trace.
        Span span = tracing.startProcessing(event, transport);
        try (Scope ignored = tracing.makeCurrent(span, event)) {
            HandlingOutcome outcome = dispatchUntraced(event, transport);
            if (!(outcome instanceof HandlingOutcome.Done)) {
                span.setStatus(StatusCode.ERROR, outcome instanceof HandlingOutcome.Reject ? "rejected" : "retry");
            }
            return outcome;
        } finally {
            span.end();
        }
    }

    private HandlingOutcome dispatchUntraced(CloudEvent event, String transport) {
        EventHandler handler = knativeDeadLetters != null && KnativeDeadLetters.isDeadLetter(event)
                ? knativeDeadLetters : handlersByType.get(event.getType());
        if (handler == null) {
            return count(event, transport, HandlingOutcome.reject("no handler for event type " + event.getType()
                    + " in this function; handled types: " + handledTypes()));
        }
        HandlingOutcome outcome;
        try {
            outcome = handler.handle(event);
        } catch (RuntimeException e) {
            Failure failure = FailureClassifier.classify(e);
            LOG.warn("handler of {} failed for event {} ({}): {}", event.getType(), event.getId(), failure.kind(),
                    failure.reason(), e);
            outcome = switch (failure.kind()) {
                case PERMANENT -> HandlingOutcome.reject(failure.reason());
                case TRANSIENT -> HandlingOutcome.retry(failure.reason());
                case UNKNOWN -> new HandlingOutcome.Retry(failure.reason(), false, true);
            };
        }
        return count(event, transport, outcome);
    }

    private HandlingOutcome count(CloudEvent event, String transport, HandlingOutcome outcome) {
        Outcome name = switch (outcome) {
            case HandlingOutcome.Done d -> Outcome.DONE;
            case HandlingOutcome.Retry r -> Outcome.RETRY;
            case HandlingOutcome.Reject r -> Outcome.REJECTED;
        };
        // the type label only for the types this function handles: a sender chooses the type, not the label's size
        String type = knativeDeadLetters != null && KnativeDeadLetters.isDeadLetter(event) ? "dead_letter"
                : handlersByType.containsKey(event.getType()) ? event.getType() : "unhandled";
        meters.counter("snapflow.events.handled", "type", type, "transport", transport, "outcome", name.label())
                .increment();
        if (outcome instanceof HandlingOutcome.Reject reject) {
            LOG.warn("rejected event {} of type {}: {}", event.getId(), event.getType(), reject.reason());
        }
        return outcome;
    }
}
