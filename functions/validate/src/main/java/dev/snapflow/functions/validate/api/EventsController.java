package dev.snapflow.functions.validate.api;

import dev.snapflow.contracts.events.EntityScoped;
import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.InvalidEventException;
import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.contracts.events.SnapshotPublished;
import dev.snapflow.functions.shared.events.HttpCloudEvents;
import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.shared.metrics.Outcome;
import dev.snapflow.functions.shared.tracing.EventTracing;
import dev.snapflow.functions.validate.ValidateConfiguration;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.events.ProcessRequestedHandler;
import dev.snapflow.functions.validate.events.SnapshotPublishedHandler;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/events}: the public, authenticated CloudEvents entry for other systems (binary or structured HTTP
 * binding). The sender presents the tenant's API key, exactly as for {@code /v1/processes}, and the event's
 * {@code data.tenant} must be that key's tenant. Only {@code process.requested} and {@code snapshot.published} come
 * from outside; every check that needs no stored state runs before anything is read or written, so an answer never
 * tells a caller whether another tenant, its entities or its snapshots exist.
 *
 * <p>401 without a valid key; 413 too large; 400 not a CloudEvent or invalid data (naming the field); 422 another type
 * (naming {@code type}); 403 another tenant (naming {@code data.tenant}, the same whether that tenant exists or not);
 * then the API's own answers (400/409/422 naming the field). 202 with the process ids otherwise.
 */
@Controller("/v1/events")
@ExecuteOn(TaskExecutors.BLOCKING)
public class EventsController {
    static final Set<String> ACCEPTED_TYPES = Set.of(EventTypes.PROCESS_REQUESTED, EventTypes.SNAPSHOT_PUBLISHED);

    private final TenantAuthenticator authenticator;
    private final JsonBodies bodies;
    private final ProcessRequestedHandler processRequested;
    private final SnapshotPublishedHandler snapshotPublished;
    private final MeterRegistry meters;
    private final EventTracing tracing;
    private final int maxBytes;

    public EventsController(TenantAuthenticator authenticator, JsonBodies bodies, ProcessRequestedHandler processRequested,
                            SnapshotPublishedHandler snapshotPublished, MeterRegistry meters, ValidateConfiguration config,
                            EventTracing tracing) {
        this.authenticator = authenticator;
        this.tracing = tracing;
        this.bodies = bodies;
        this.processRequested = processRequested;
        this.snapshotPublished = snapshotPublished;
        this.meters = meters;
        this.maxBytes = config.maxRequestBytes();
    }

    /**
     * The answer of an accepted event.
     *
     * @param processes  the processes it started (or, for a repeated event, had started)
     * @param notStarted snapshot.published only: subscriptions that could not start, and why
     */
    public record AcceptedEvent(String type, String id, List<UUID> processes, List<String> notStarted) {
    }

    @Post(consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> receive(HttpRequest<?> request, @Body @Nullable byte[] body) {
        String tenant = authenticator.tenantOf(request);
        if (body != null && body.length > maxBytes) {
            throw refused(new RequestRejected(413, "Request too large", "too_large", "body",
                    "at most " + maxBytes + " bytes are accepted, was " + body.length));
        }
        CloudEvent event;
        try {
            event = HttpCloudEvents.read(request, body);
        } catch (RuntimeException e) {
            throw refused(new RequestRejected(400, "Malformed CloudEvent", "malformed_event", "ce-specversion",
                    "the request is not a valid CloudEvent (binary or structured HTTP binding): " + e.getMessage()));
        }
        if (!ACCEPTED_TYPES.contains(event.getType())) {
            throw refused(RequestRejected.unprocessable("unsupported_type", "type", "only "
                    + EventTypes.PROCESS_REQUESTED + " and " + EventTypes.SNAPSHOT_PUBLISHED
                    + " are accepted here, was " + event.getType()));
        }
        Object data;
        try {
            data = Events.read(event);
        } catch (InvalidEventException e) {
            throw refused(new RequestRejected(400, "Invalid event", "invalid_event", e.violations().stream()
                    .map(v -> new RequestRejected.FieldProblem(v.field().isEmpty() ? "data" : v.field(), v.message()))
                    .toList()));
        }
        if (!tenant.equals(((EntityScoped) data).tenant())) {
            throw refused(new RequestRejected(403, "Forbidden", "other_tenant", "data.tenant",
                    "this API key acts only for its own tenant; data.tenant must name it"));
        }
        // The event's consumer span: a child of its traceparent when the sender had one, else of this request's
        // span; the processes it starts continue this trace.
        Span span = tracing.startProcessing(event, "http");
        AcceptedEvent accepted;
        try (Scope ignored = tracing.makeCurrent(span, event)) {
            accepted = accept(event, data);
        } finally {
            span.end();
        }
        meters.counter("snapflow.events.public", "type", event.getType(), "outcome", "accepted").increment();
        return bodies.json(HttpResponse.status(HttpStatus.ACCEPTED), accepted);
    }

    private AcceptedEvent accept(CloudEvent event, Object data) {
        return switch (data) {
            case ProcessRequested requested -> new AcceptedEvent(event.getType(), event.getId(),
                    List.of(processRequested.requestProcess(requested, event).processId()), null);
            case SnapshotPublished published -> {
                SnapshotPublishedHandler.Started started = snapshotPublished.startSubscriptions(published);
                yield new AcceptedEvent(event.getType(), event.getId(), started.processes(),
                        started.notStarted().isEmpty() ? null : started.notStarted());
            }
            default -> throw new IllegalStateException("unexpected data " + data.getClass().getSimpleName());
        };
    }

    private RequestRejected refused(RequestRejected rejected) {
        meters.counter("snapflow.events.public", "type", "any", "outcome", Outcome.REJECTED.label(),
                "reason", rejected.reason()).increment();
        return rejected;
    }
}
