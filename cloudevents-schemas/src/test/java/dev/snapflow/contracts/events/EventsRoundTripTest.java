package dev.snapflow.contracts.events;

import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EventsRoundTripTest {

    @Test
    void everyEventTypeHasASampleRecord() {
        assertThat(SampleEvents.all().keySet()).containsExactlyInAnyOrderElementsOf(EventTypes.all());
    }

    @Test
    void everyRecordRoundTripsThroughStructuredJson() {
        SampleEvents.all().forEach((type, data) -> {
            CloudEvent event = Events.newEvent(data).source(EventSources.VALIDATE).partitionKey("acme/orders").build();
            CloudEvent parsed = Events.fromJson(Events.toJson(event));
            assertThat(parsed.getType()).isEqualTo(type);
            assertThat(Events.read(parsed)).as(type).isEqualTo(data);
            assertThat(Events.read(parsed, data.getClass())).as(type).isEqualTo(data);
        });
    }
}
