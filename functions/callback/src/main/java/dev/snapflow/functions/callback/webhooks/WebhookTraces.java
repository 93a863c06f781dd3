package dev.snapflow.functions.callback.webhooks;

import dev.snapflow.functions.shared.tracing.EventTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import jakarta.inject.Singleton;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which trace each webhook delivery continues: the span that wrote the delivery row (the process's last step),
 * kept in memory by delivery id until the delivery's first call, so the webhook POST and its {@code traceparent}
 * header join the process's trace. Memory only, bounded: a delivery retried after a restart, or one of more than
 * {@link #CAPACITY} waiting at once, is called in a trace of its own (the row has no column for it).
 */
@Singleton
public class WebhookTraces {
    static final int CAPACITY = 10_000;
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private final EventTracing tracing;
    private final Map<String, String> traceparents = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > CAPACITY;
        }
    };

    public WebhookTraces(EventTracing tracing) {
        this.tracing = tracing;
    }

    /** Remembers the current span for the delivery (when there is one). */
    public void remember(String deliveryId) {
        String traceparent = EventTracing.currentTraceparent();
        if (traceparent != null) {
            synchronized (traceparents) {
                traceparents.putIfAbsent(deliveryId, traceparent);
            }
        }
    }

    /**
     * The client span of one webhook call ({@code POST}, per the HTTP semantic conventions), a child of the span
     * that wrote the delivery when it is remembered; the caller makes it current (the caller's request then carries
     * its {@code traceparent}) and ends it with {@link #end}.
     */
    public Span startCall(String deliveryId, String tenant, String url) {
        String traceparent;
        synchronized (traceparents) {
            traceparent = traceparents.get(deliveryId);
        }
        Context parent = traceparent == null ? Context.root() : EventTracing.contextOf(traceparent, null);
        var span = tracing.tracer().spanBuilder("POST").setSpanKind(SpanKind.CLIENT).setParent(parent)
                .setAttribute(METHOD, "POST")
                .setAttribute(EventTracing.TENANT, tenant);
        // host and port only: a tenant may have put a token in the URL's path or query
        try {
            URI uri = URI.create(url);
            if (uri.getHost() != null) {
                span.setAttribute(SERVER_ADDRESS, uri.getHost());
                span.setAttribute(SERVER_PORT, (long) (uri.getPort() > 0 ? uri.getPort()
                        : "https".equals(uri.getScheme()) ? 443 : 80));
            }
        } catch (IllegalArgumentException ignored) {
            // a URL the policy refuses anyway
        }
        return span.startSpan();
    }

    /** Ends a call's span with its outcome; forgets the delivery once it is delivered. */
    public void end(Span span, String deliveryId, WebhookCaller.CallResult result) {
        if (result.status() != null) {
            span.setAttribute(STATUS, result.status().longValue());
        }
        if (result.delivered()) {
            synchronized (traceparents) {
                traceparents.remove(deliveryId);
            }
        } else {
            span.setAttribute(ERROR_TYPE, result.error().code());
            span.setStatus(StatusCode.ERROR, result.error().code());
        }
        span.end();
    }
}
