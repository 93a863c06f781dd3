package dev.snapflow.functions.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;

/**
 * Structured-mode JSON of a whole CloudEvent: how an event is kept in the outbox and in dead letters, so it
 * can be sent again exactly as it was.
 */
public final class EventCodec {
    private static final EventFormat FORMAT = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private EventCodec() {
    }

    public static byte[] toStructuredJson(CloudEvent event) {
        return FORMAT.serialize(event);
    }

    public static CloudEvent fromStructuredJson(byte[] json) {
        return FORMAT.deserialize(json);
    }
}
