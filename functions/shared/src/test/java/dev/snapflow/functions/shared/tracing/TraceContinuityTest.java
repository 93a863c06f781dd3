package dev.snapflow.functions.shared.tracing;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.events.EventDispatcher;
import dev.snapflow.functions.shared.events.EventHandler;
import dev.snapflow.functions.shared.events.EventPublisher;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.shared.events.TransportConfiguration;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.Outbox;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trace of a process survives the hops inside a function: an event's consumer span is a child of the event's
 * traceparent, what its handler writes to the outbox carries that span, and the relay's send is its child; an event
 * written for another process keeps that process's trace. Real PostgreSQL (a database of its own, so the relay sees
 * only this test's rows), an in-memory span exporter.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TraceContinuityTest {
    private static final String TYPE = "dev.snapflow.test.traced.v1";
    private static final String INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String INCOMING_SPAN = "00f067aa0ba902b7";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final List<CloudEvent> published = new CopyOnWriteArrayList<>();
    private LocalStack stack;
    private String databaseName;
    private Database database;
    private EventTracing tracing;
    private OutboxRelay relay;

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        this.stack = stack;
        databaseName = "tracing_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection admin = stack.database().openConnection(); Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE " + databaseName);
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        String current = stack.database().databaseName();
        dataSource.setURL(stack.database().jdbcUrl().replaceFirst("/" + current + "(\\?|$)", "/" + databaseName + "$1"));
        dataSource.setUser(stack.database().username());
        dataSource.setPassword(stack.database().password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        database = new Database(dataSource);

        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        TransportConfiguration transport = new TransportConfiguration(TransportConfiguration.Transport.KAFKA, null,
                "snapflow-events", "snapflow-jobs", "snapflow-dead-letter", "tracing-test", false);
        tracing = new EventTracing(sdk, transport);
        EventPublisher recording = new EventPublisher() {
            @Override
            public void publish(CloudEvent event) {
                published.add(event);
            }
        };
        relay = new OutboxRelay(database, recording, new SimpleMeterRegistry(), tracing, Duration.ofDays(1),
                Duration.ofHours(1));
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
        try (Connection admin = stack.database().openConnection(); Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE " + databaseName + " WITH (FORCE)");
        }
    }

    @BeforeEach
    void clear() {
        spans.reset();
        published.clear();
    }

    @Test
    void aHandledEventsOutboxRowContinuesItsProcessingSpanAndTheRelaySendsAsItsChild() {
        String process = UUID.randomUUID().toString();
        CloudEvent incoming = event(process, "00-" + INCOMING_TRACE + "-" + INCOMING_SPAN + "-01");
        CloudEvent written = event(process, null);
        EventDispatcher dispatcher = dispatcherWriting(cause -> written);

        assertThat(dispatcher.dispatch(incoming, "kafka")).isInstanceOf(HandlingOutcome.Done.class);

        SpanData processing = only("CloudEvents Process " + TYPE);
        assertThat(processing.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(processing.getTraceId()).isEqualTo(INCOMING_TRACE);
        assertThat(processing.getParentSpanId()).isEqualTo(INCOMING_SPAN);
        assertThat(processing.getAttributes().get(AttributeKey.stringKey("snapflow.process_id"))).isEqualTo(process);
        assertThat(processing.getAttributes().get(AttributeKey.stringKey("snapflow.tenant"))).isEqualTo("tenant-a");
        assertThat(processing.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("kafka");
        assertThat(processing.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
                .isEqualTo("snapflow-events");
        String processingContext = "00-" + INCOMING_TRACE + "-" + processing.getSpanId() + "-01";
        assertThat(storedTraceparent(written.getId())).isEqualTo(processingContext);

        relay.flush();

        // (rows the other tests left are published too)
        assertThat(published).filteredOn(event -> event.getId().equals(written.getId())).singleElement()
                .satisfies(event -> assertThat(Events.traceparent(event)).contains(processingContext));
        SpanData send = spans.getFinishedSpanItems().stream().filter(span -> written.getId()
                .equals(span.getAttributes().get(AttributeKey.stringKey("messaging.message.id")))).findFirst().orElseThrow();
        assertThat(send.getName()).isEqualTo("send snapflow-events");
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(send.getTraceId()).isEqualTo(INCOMING_TRACE);
        assertThat(send.getParentSpanId()).isEqualTo(processing.getSpanId());
    }

    @Test
    void anEventWrittenForAnotherProcessKeepsThatProcesssTrace() {
        String earlier = UUID.randomUUID().toString();
        String current = UUID.randomUUID().toString();
        // the earlier process's event was handled here before: its span is the one its next events continue
        dispatcherWriting(cause -> null).dispatch(event(earlier, "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01"), "kafka");
        SpanData earlierSpan = only("CloudEvents Process " + TYPE);
        spans.reset();
        CloudEvent[] written = new CloudEvent[2];
        dispatcherWriting(cause -> {
            written[0] = event(earlier, tracing.traceparentFor(earlier));
            return written[0];
        }).dispatch(event(current, "00-" + INCOMING_TRACE + "-" + INCOMING_SPAN + "-01"), "kafka");

        assertThat(storedTraceparent(written[0].getId()))
                .isEqualTo("00-" + earlierSpan.getTraceId() + "-" + earlierSpan.getSpanId() + "-01");
    }

    @Test
    void aRowWrittenOutsideAnySpanKeepsTheTraceContextItWasBuiltWith() {
        CloudEvent written = event(UUID.randomUUID().toString(), "00-" + INCOMING_TRACE + "-" + INCOMING_SPAN + "-01");

        database.inTransaction(connection -> {
            Outbox.append(connection, written);
            return null;
        });

        assertThat(storedTraceparent(written.getId())).isEqualTo("00-" + INCOMING_TRACE + "-" + INCOMING_SPAN + "-01");
    }

    /** A dispatcher whose one handler writes what {@code write} makes of the event (nothing for null). */
    private EventDispatcher dispatcherWriting(Function<CloudEvent, CloudEvent> write) {
        EventHandler handler = new EventHandler() {
            @Override
            public java.util.Set<String> eventTypes() {
                return java.util.Set.of(TYPE);
            }

            @Override
            public HandlingOutcome handle(CloudEvent event) {
                CloudEvent out = write.apply(event);
                if (out != null) {
                    database.inTransaction(connection -> {
                        Outbox.append(connection, out);
                        return null;
                    });
                }
                return HandlingOutcome.done();
            }
        };
        return new EventDispatcher(List.of(handler), new SimpleMeterRegistry(), null, tracing);
    }

    private SpanData only(String name) {
        List<SpanData> named = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named " + name).hasSize(1);
        return named.get(0);
    }

    private String storedTraceparent(String eventId) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT event FROM outbox WHERE event_id = ?")) {
                select.setString(1, eventId);
                try (ResultSet row = select.executeQuery()) {
                    assertThat(row.next()).as("outbox row of " + eventId).isTrue();
                    return Events.traceparent(Events.fromJson(row.getBytes(1))).orElse(null);
                }
            }
        });
    }

    private static CloudEvent event(String process, String traceparent) {
        CloudEventBuilder builder = CloudEventBuilder.v1().withId(UUID.randomUUID().toString())
                .withSource(URI.create("/test")).withType(TYPE).withSubject(process)
                .withExtension(Events.PARTITION_KEY, "tenant-a/orders")
                .withData("application/json", "{}".getBytes(StandardCharsets.UTF_8));
        if (traceparent != null) {
            builder.withExtension(Events.TRACEPARENT, traceparent);
        }
        return builder.build();
    }
}
