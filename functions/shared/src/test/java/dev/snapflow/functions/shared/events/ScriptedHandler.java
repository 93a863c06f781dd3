package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A handler whose outcome the event's data names: {@code done}, {@code reject} (or any text starting with it),
 * {@code reject-once} (Reject, then Done), {@code hold} (back-pressure), {@code retry-N} (Retry for the first N
 * deliveries, then Done), {@code throw-unknown} (an unclassified exception every time), {@code throw-nul} (the
 * database refusing a NUL byte every time). Records every delivery.
 */
@Singleton
@Requires(property = "scripted-handler.enabled", value = "true")
public class ScriptedHandler implements EventHandler {
    static final String TYPE = "dev.snapflow.test.scripted.v1";

    final List<String> deliveries = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    @Override
    public Set<String> eventTypes() {
        return Set.of(TYPE);
    }

    @Override
    public HandlingOutcome handle(CloudEvent event) {
        deliveries.add(event.getId());
        String script = new String(event.getData().toBytes(), StandardCharsets.UTF_8).trim();
        if (script.equals("throw-unknown")) {
            throw new IllegalStateException("scripted bug");
        }
        if (script.equals("throw-nul")) {
            throw new RuntimeException(new java.sql.SQLException(
                    "invalid byte sequence for encoding \"UTF8\": 0x00", "22021"));
        }
        if (script.equals("reject-once")) {
            return attempts.merge(event.getId(), 1, Integer::sum) == 1 ? HandlingOutcome.reject("scripted rejection once")
                    : HandlingOutcome.done();
        }
        if (script.startsWith("reject")) {
            return HandlingOutcome.reject("scripted rejection");
        }
        if (script.equals("hold")) {
            return HandlingOutcome.backPressure("scripted back-pressure");
        }
        if (script.startsWith("retry-")) {
            int seen = attempts.merge(event.getId(), 1, Integer::sum);
            return seen <= Integer.parseInt(script.substring(6)) ? HandlingOutcome.retry("scripted retry " + seen)
                    : HandlingOutcome.done();
        }
        return HandlingOutcome.done();
    }

    long deliveriesOf(String id) {
        return deliveries.stream().filter(id::equals).count();
    }
}
