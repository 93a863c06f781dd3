package dev.snapflow.functions.validate.events;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessRequested;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventIdempotencyKeysTest {
    private static final ProcessRequested WITHOUT_KEY = new ProcessRequested("acme", "orders", "latest", "ingest", null,
            Map.of(), null, null);

    private static CloudEvent event(String source, String id) {
        return Events.newEvent(WITHOUT_KEY).source(URI.create(source)).id(id).build();
    }

    @Test
    void eventsFromLongSourcesThatShareTheirFirst128CharactersGetDifferentKeysWithinTheLimit() {
        String longSource = "/acme/" + "a".repeat(200);
        String first = EventIdempotencyKeys.of(WITHOUT_KEY, event(longSource + "/one", "42"));
        String second = EventIdempotencyKeys.of(WITHOUT_KEY, event(longSource + "/two", "42"));

        assertThat(first).isNotEqualTo(second);
        assertThat(first).hasSizeLessThanOrEqualTo(ProcessRequested.MAX_IDEMPOTENCY_KEY_LENGTH).startsWith("event:sha256:");
        assertThat(second).hasSizeLessThanOrEqualTo(ProcessRequested.MAX_IDEMPOTENCY_KEY_LENGTH);
    }

    @Test
    void sourceAndIdCannotBeShiftedIntoEachOther() {
        assertThat(EventIdempotencyKeys.derived("urn:a", "b:c")).isNotEqualTo(EventIdempotencyKeys.derived("urn:a:b", "c"));
    }

    @Test
    void theSameEventDeliveredAgainGetsTheSameKeyAndACallersOwnKeyWins() {
        assertThat(EventIdempotencyKeys.of(WITHOUT_KEY, event("/acme", "1"))).isEqualTo(EventIdempotencyKeys.of(WITHOUT_KEY, event("/acme", "1")));
        ProcessRequested withKey = new ProcessRequested("acme", "orders", "latest", "ingest", null, Map.of(), null, "run-7");
        assertThat(EventIdempotencyKeys.of(withKey, Events.newEvent(withKey).source(URI.create("/acme")).build())).isEqualTo("run-7");
    }
}
