package dev.snapflow.contracts.events;

import io.cloudevents.CloudEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventsRoundTripTest {

    static List<String> eventTypes() {
        return EventTypes.all();
    }

    @Test
    void everyEventTypeHasASampleRecord() {
        assertThat(SampleEvents.all().keySet()).containsExactlyInAnyOrderElementsOf(EventTypes.all());
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void recordRoundTripsThroughStructuredJson(String type) {
        Object data = SampleEvents.all().get(type);
        CloudEvent event = Events.newEvent(data).source(EventSources.VALIDATE).partitionKey("acme/orders").build();

        CloudEvent parsed = Events.fromJson(Events.toJson(event));

        assertThat(parsed.getType()).isEqualTo(type);
        assertThat(Events.read(parsed)).isEqualTo(data);
        assertThat(Events.read(parsed, data.getClass())).isEqualTo(data);
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void recordRoundTripsInBinaryModeWithoutSerialization(String type) {
        Object data = SampleEvents.all().get(type);
        CloudEvent event = Events.newEvent(data).source(EventSources.CALLBACK).partitionKey("acme/orders").build();

        assertThat(Events.read(event, data.getClass())).isEqualTo(data);
    }
}
