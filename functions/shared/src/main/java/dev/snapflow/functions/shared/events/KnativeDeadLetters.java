package dev.snapflow.functions.shared.events;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.persistence.DeadLetterStore;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Records dead letters that arrive over HTTP on Knative: a KafkaSource on the dead-letter topic delivers them to
 * validate's {@code POST /} (the same entry, so the same sender authentication as every Trigger). Knative marks a
 * dead-lettered event with the {@code knativeerrordest}, {@code knativeerrorcode} and {@code knativeerrordata}
 * extensions; {@link EventDispatcher} hands such events here instead of to the handler of their type. The event
 * is stored without those extensions, so a replay republishes exactly the original event.
 */
@Singleton
@Requires(property = "snapflow.dead-letters.record", value = "true")
@Requires(beans = DeadLetterStore.class)
public class KnativeDeadLetters implements EventHandler {
    public static final String ERROR_DEST = "knativeerrordest";
    public static final String ERROR_CODE = "knativeerrorcode";
    public static final String ERROR_DATA = "knativeerrordata";
    private static final Set<String> KNATIVE_ERROR_EXTENSIONS = Set.of(ERROR_DEST, ERROR_CODE, ERROR_DATA);
    private static final int MAX_REASON_CHARS = 2000;

    private final DeadLetterStore store;

    public KnativeDeadLetters(DeadLetterStore store) {
        this.store = store;
    }

    public static boolean isDeadLetter(CloudEvent event) {
        return event.getExtension(ERROR_DEST) != null;
    }

    /** None: dead letters keep their original type; the dispatcher recognizes them by their extensions. */
    @Override
    public Set<String> eventTypes() {
        return Set.of();
    }

    @Override
    public HandlingOutcome handle(CloudEvent deadLettered) {
        String dest = String.valueOf(deadLettered.getExtension(ERROR_DEST));
        Object code = deadLettered.getExtension(ERROR_CODE);
        CloudEventBuilder original = CloudEventBuilder.from(deadLettered);
        for (String name : KNATIVE_ERROR_EXTENSIONS) {
            original.withoutExtension(name);
        }
        CloudEvent event = original.build();
        byte[] json = Events.toJson(event);
        byte[] data = deadLettered.getData() == null ? new byte[0] : deadLettered.getData().toBytes();
        String reason = "HTTP " + (code == null ? "?" : code) + " from " + dest + ": " + errorData(deadLettered);
        store.record(new DeadLetterStore.Incoming("knative:" + dest + "#" + event.getId(), event.getId(), event.getType(),
                Events.partitionKey(event).orElse(null), "knative", dest,
                reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "…" : reason,
                json, true, data.length, DeadLetters.sha256(data)));
        return HandlingOutcome.done();
    }

    /** Knative puts the subscriber's answer (our problem+json, with the reason) base64-encoded in knativeerrordata. */
    private static String errorData(CloudEvent event) {
        Object data = event.getExtension(ERROR_DATA);
        if (data == null) {
            return "no answer recorded";
        }
        try {
            return new String(Base64.getDecoder().decode(String.valueOf(data)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return String.valueOf(data);
        }
    }
}
