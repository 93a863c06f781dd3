package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import io.opentelemetry.api.OpenTelemetry;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The labels of {@code snapflow_events_handled_total}: bounded, whatever a sender puts into an event. */
class EventDispatcherMetricsTest {
    private static final TransportConfiguration TRANSPORT = new TransportConfiguration(
            TransportConfiguration.Transport.KAFKA, null, "snapflow-events", "snapflow-jobs", "snapflow-dead-letter",
            "dispatcher-metrics-test", false);

    private static CloudEvent event(String type, String script) {
        return CloudEventBuilder.v1().withId("e-" + script).withSource(URI.create("/test")).withType(type)
                .withData(script.getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void outcomesComeFromTheVocabularyAndATypeNoHandlerClaimsIsCountedAsUnhandled() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        EventDispatcher dispatcher = new EventDispatcher(List.of(new ScriptedHandler()), meters, null,
                new EventTracing(OpenTelemetry.noop(), TRANSPORT));

        dispatcher.dispatch(event(ScriptedHandler.TYPE, "done"), "kafka");
        dispatcher.dispatch(event(ScriptedHandler.TYPE, "reject"), "kafka");
        dispatcher.dispatch(event(ScriptedHandler.TYPE, "throw-unknown"), "http");
        for (int i = 0; i < 3; i++) {
            dispatcher.dispatch(event("com.attacker.type-" + i, "done"), "kafka");
        }

        assertThat(meters.find("snapflow.events.handled").tag("type", ScriptedHandler.TYPE).tag("outcome", "done")
                .counter().count()).isEqualTo(1);
        assertThat(meters.find("snapflow.events.handled").tag("outcome", "rejected").tag("type", ScriptedHandler.TYPE)
                .counter().count()).isEqualTo(1);
        assertThat(meters.find("snapflow.events.handled").tag("outcome", "retry").tag("transport", "http")
                .counter().count()).isEqualTo(1);
        assertThat(meters.find("snapflow.events.handled").tag("type", "unhandled").counter().count()).isEqualTo(3);
        assertThat(meters.find("snapflow.events.handled").counters()).extracting(c -> c.getId().getTag("type"))
                .containsOnly(ScriptedHandler.TYPE, "unhandled");
    }
}
