package dev.snapflow.functions.shared.tracing;

import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.events.TransportConfiguration;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The spans of Snapflow's own hops, one trace per process: an event's trace context travels in its W3C
 * {@code traceparent} extension (the CloudEvents distributed tracing extension), which {@link #stampCurrent} sets
 * to the span that wrote it; the relay's {@code send} span and the consumer's {@code CloudEvents Process} span are
 * children of that span. HTTP server and client spans come from Micronaut's tracing module.
 *
 * <p>Names and attributes follow OpenTelemetry's semantic conventions for messaging and CloudEvents, plus
 * {@code snapflow.tenant}, {@code snapflow.process_id} and {@code snapflow.job_id}. With the default exporter
 * ({@code OTEL_TRACES_EXPORTER=none}) spans are made but go nowhere; see docs/observability.md.
 */
@Singleton
public class EventTracing {
    public static final AttributeKey<String> TENANT = AttributeKey.stringKey("snapflow.tenant");
    public static final AttributeKey<String> PROCESS_ID = AttributeKey.stringKey("snapflow.process_id");
    public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("snapflow.job_id");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> MESSAGING_OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> MESSAGING_DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGING_MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> CLOUDEVENTS_ID = AttributeKey.stringKey("cloudevents.event_id");
    static final AttributeKey<String> CLOUDEVENTS_SOURCE = AttributeKey.stringKey("cloudevents.event_source");
    static final AttributeKey<String> CLOUDEVENTS_TYPE = AttributeKey.stringKey("cloudevents.event_type");
    static final AttributeKey<String> CLOUDEVENTS_SUBJECT = AttributeKey.stringKey("cloudevents.event_subject");

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** The process whose event is being handled in this context, if any (see {@link #stampCurrent}). */
    private static final ContextKey<String> PROCESS = ContextKey.named("snapflow.process_id");
    private static final int REMEMBERED_PROCESSES = 10_000;

    private final Tracer tracer;
    private final TransportConfiguration transport;
    /**
     * The last span that handled an event of each process, for events written for a process while handling
     * another's (enqueue starts a tenant's queued steps in order, whichever process's event woke it). Memory only
     * and bounded: a step queued before a restart starts a trace of its own.
     */
    private final Map<String, String> lastSpanOfProcess = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_PROCESSES;
        }
    };

    public EventTracing(OpenTelemetry openTelemetry, TransportConfiguration transport) {
        this.tracer = openTelemetry.getTracer("dev.snapflow.functions");
        this.transport = transport;
    }

    /** For Snapflow's other spans (launch, webhook calls): the same tracer as the event spans. */
    public Tracer tracer() {
        return tracer;
    }

    /**
     * The consumer span of one delivered event ({@code CloudEvents Process <type>}), a child of the span that
     * wrote the event (its {@code traceparent}), or of the current span (an HTTP delivery without one). The caller
     * makes it current around the handler and ends it.
     *
     * @param transport {@code kafka} or {@code http}
     */
    public Span startProcessing(CloudEvent event, String transport) {
        Context current = Context.current();
        Context parent = parentOf(event, current);
        // An HTTP delivery whose server span already continues the event's trace: stay under it.
        SpanContext server = Span.fromContext(current).getSpanContext();
        if (server.isValid() && server.getTraceId().equals(Span.fromContext(parent).getSpanContext().getTraceId())) {
            parent = current;
        }
        SpanBuilder span = tracer.spanBuilder("CloudEvents Process " + event.getType()).setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(MESSAGING_OPERATION_TYPE, "process")
                .setAttribute(MESSAGING_OPERATION_NAME, "process");
        if ("kafka".equals(transport)) {
            span.setAttribute(MESSAGING_SYSTEM, "kafka")
                    .setAttribute(MESSAGING_DESTINATION, this.transport.topicFor(event.getType()));
        }
        return describe(span, event).startSpan();
    }

    /**
     * The producer span of one event the outbox relay sends ({@code send <topic>} on Kafka, {@code send} to the
     * Knative sink), a child of the span that wrote the row.
     */
    public Span startSend(CloudEvent event) {
        boolean kafka = transport.transport() == TransportConfiguration.Transport.KAFKA;
        SpanBuilder span = tracer.spanBuilder(kafka ? "send " + transport.topicFor(event.getType()) : "send")
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parentOf(event, Context.root()))
                .setAttribute(MESSAGING_OPERATION_TYPE, "send")
                .setAttribute(MESSAGING_OPERATION_NAME, "send");
        if (kafka) {
            span.setAttribute(MESSAGING_SYSTEM, "kafka")
                    .setAttribute(MESSAGING_DESTINATION, transport.topicFor(event.getType()));
        }
        return describe(span, event).startSpan();
    }

    /**
     * Makes the event's processing span current, noting the event's process: what the handler writes for that
     * process continues this span, what it writes for another process does not ({@link #stampCurrent}).
     */
    public Scope makeCurrent(Span span, CloudEvent event) {
        Context context = Context.current().with(span);
        String process = processOf(event);
        if (process != null) {
            context = context.with(PROCESS, process);
            String traceparent = traceparent(span.getSpanContext());
            if (span.getSpanContext().isValid()) {
                synchronized (lastSpanOfProcess) {
                    lastSpanOfProcess.put(process, traceparent);
                }
            }
        }
        return context.makeCurrent();
    }

    /**
     * The trace context an event of this process should carry: the current span when it handles this process (or
     * no process in particular), else the last span that handled one of its events here; null when unknown.
     */
    public String traceparentFor(String processId) {
        String handled = Context.current().get(PROCESS);
        if (handled == null || handled.equals(processId)) {
            String current = currentTraceparent();
            if (current != null) {
                return current;
            }
        }
        synchronized (lastSpanOfProcess) {
            return lastSpanOfProcess.get(processId);
        }
    }

    private static SpanBuilder describe(SpanBuilder span, CloudEvent event) {
        span.setAttribute(MESSAGING_MESSAGE_ID, event.getId())
                .setAttribute(CLOUDEVENTS_ID, event.getId())
                .setAttribute(CLOUDEVENTS_SOURCE, String.valueOf(event.getSource()))
                .setAttribute(CLOUDEVENTS_TYPE, event.getType());
        if (event.getSubject() != null) {
            span.setAttribute(CLOUDEVENTS_SUBJECT, event.getSubject());
        }
        String process = processOf(event);
        if (process != null) {
            span.setAttribute(PROCESS_ID, process);
        }
        Events.partitionKey(event).ifPresent(key -> span.setAttribute(TENANT, key.substring(0, key.indexOf('/'))));
        return span;
    }

    /**
     * The process an event is about: the subject of every event Snapflow writes (Events.Draft); the inbound
     * process.requested and snapshot.published name none yet.
     */
    private static String processOf(CloudEvent event) {
        return EventTypes.PROCESS_REQUESTED.equals(event.getType()) || EventTypes.SNAPSHOT_PUBLISHED.equals(event.getType())
                ? null : event.getSubject();
    }

    /**
     * The event with its {@code traceparent} (and {@code tracestate}) set to the current span, so the next hop
     * continues from the span that wrote it; unchanged when no span is current (a timer, tracing unset) or when
     * the current span handles another process's event.
     */
    public static CloudEvent stampCurrent(CloudEvent event) {
        SpanContext current = Span.current().getSpanContext();
        String handled = Context.current().get(PROCESS);
        if (!current.isValid() || (handled != null && event.getSubject() != null && !handled.equals(event.getSubject()))) {
            // another process's event: it keeps the trace context it was built with (see traceparentFor)
            return event;
        }
        String traceparent = traceparent(current);
        if (traceparent.equals(event.getExtension(Events.TRACEPARENT))) {
            return event;
        }
        CloudEventBuilder builder = CloudEventBuilder.v1(event).withExtension(Events.TRACEPARENT, traceparent);
        String tracestate = current.getTraceState().isEmpty() ? null : W3CTraceState.write(current);
        if (tracestate != null) {
            builder.withExtension(Events.TRACESTATE, tracestate);
        } else {
            builder.withoutExtension(Events.TRACESTATE);
        }
        return builder.build();
    }

    /** The current span's W3C traceparent, or null when there is none (e.g. for a job's environment). */
    public static String currentTraceparent() {
        SpanContext current = Span.current().getSpanContext();
        return current.isValid() ? traceparent(current) : null;
    }

    /** {@code 00-<trace id>-<span id>-<flags>}. */
    public static String traceparent(SpanContext context) {
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    /** A context whose remote parent is the given traceparent (and tracestate, if any); root when unreadable. */
    public static Context contextOf(String traceparent, String tracestate) {
        Map<String, String> carrier = tracestate == null ? Map.of("traceparent", traceparent)
                : Map.of("traceparent", traceparent, "tracestate", tracestate);
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP_GETTER);
    }

    /** The context of the span that wrote the event, or {@code otherwise} when it carries no traceparent. */
    private static Context parentOf(CloudEvent event, Context otherwise) {
        Object tracestate = event.getExtension(Events.TRACESTATE);
        return Events.traceparent(event)
                .map(traceparent -> contextOf(traceparent, tracestate == null ? null : tracestate.toString()))
                .orElse(otherwise);
    }

    /** tracestate as W3C writes it (the propagator's own format). */
    private static final class W3CTraceState {
        static String write(SpanContext context) {
            Map<String, String> carrier = new HashMap<>();
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(context)), carrier, Map::put);
            return carrier.get("tracestate");
        }
    }
}
