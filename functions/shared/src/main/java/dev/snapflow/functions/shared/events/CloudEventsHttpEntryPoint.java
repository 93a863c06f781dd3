package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.shared.security.DeliveryAuthenticator;
import dev.snapflow.functions.shared.security.DeliveryAuthenticator.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.cloudevents.CloudEvent;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Knative entry point: a Trigger delivers CloudEvents (binary or structured HTTP binding) to {@code POST /}.
 * Done = 202, Retry = 503 (429 for back-pressure) so the broker redelivers, Reject = 400 problem+json so it
 * does not; an event that is not a valid CloudEvent is 400 and reaches no handler.
 * <p>
 * Every delivery is authenticated first ({@link DeliveryAuthenticator}: the OIDC token Knative Eventing attaches):
 * 401 without a valid token, 403 for a sender this function does not accept, 503 while the issuer's keys cannot be
 * fetched; nothing is dispatched in any of these cases and each refusal counts in
 * {@code snapflow.events.delivery.rejected{reason}}. Served only on the HTTP transport: on Kafka the functions
 * consume their topics and nothing is delivered over HTTP, so {@code POST /} does not exist (404).
 */
@Controller
@Requires(property = "snapflow.events.transport", value = "http")
public class CloudEventsHttpEntryPoint {
    static final String REJECTED_METRIC = "snapflow.events.delivery.rejected";
    private static final Logger LOG = LoggerFactory.getLogger(CloudEventsHttpEntryPoint.class);

    private final EventDispatcher dispatcher;
    private final DeliveryAuthenticator authenticator;
    private final MeterRegistry meters;

    public CloudEventsHttpEntryPoint(EventDispatcher dispatcher, DeliveryAuthenticator authenticator, MeterRegistry meters) {
        this.dispatcher = dispatcher;
        this.authenticator = authenticator;
        this.meters = meters;
    }

    @Post(uri = "/", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> receive(HttpRequest<?> request, @Body @Nullable byte[] body) {
        HttpResponse<?> refusal = refusal(authenticator.authenticate(request.getHeaders().get(HttpHeaders.AUTHORIZATION)));
        if (refusal != null) {
            return refusal;
        }
        CloudEvent event;
        try {
            event = HttpCloudEvents.read(request, body);
        } catch (RuntimeException e) {
            return Problem.response(HttpStatus.BAD_REQUEST, "Malformed CloudEvent",
                    "the request is not a valid CloudEvent (binary or structured HTTP binding): " + e.getMessage(),
                    "ce-specversion");
        }
        return switch (dispatcher.dispatch(event, "http")) {
            case HandlingOutcome.Done d -> HttpResponse.accepted();
            case HandlingOutcome.Retry r when r.backPressure() ->
                    Problem.response(HttpStatus.TOO_MANY_REQUESTS, "Held back", r.reason(), null);
            case HandlingOutcome.Retry r -> Problem.response(HttpStatus.SERVICE_UNAVAILABLE, "Try again", r.reason(), null);
            case HandlingOutcome.Reject r -> Problem.response(HttpStatus.BAD_REQUEST, "Event rejected", r.reason(), "data");
        };
    }

    /** The response refusing an unauthenticated or unauthorized delivery, or null when it may be dispatched. */
    private HttpResponse<?> refusal(Verdict verdict) {
        return switch (verdict) {
            case Verdict.Accepted accepted -> null;
            case Verdict.Unauthenticated u -> {
                rejected(u.reason().metricTag());
                LOG.warn("refused an event delivery: {}", u.reason().detail());
                yield Problem.response(HttpStatus.UNAUTHORIZED, "Unauthenticated delivery",
                        u.reason().detail() + "; deliveries carry the OIDC token Knative Eventing issues for this "
                                + "function's audience", HttpHeaders.AUTHORIZATION)
                        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            }
            case Verdict.Forbidden f -> {
                rejected(DeliveryAuthenticator.Rejection.SENDER_NOT_ALLOWED.metricTag());
                LOG.warn("refused an event delivery from {}: not an allowed sender of this function", f.subject());
                yield Problem.response(HttpStatus.FORBIDDEN, "Sender not allowed",
                        f.subject() + " may not send events to this function", HttpHeaders.AUTHORIZATION);
            }
            case Verdict.Unavailable u -> {
                rejected("issuer_unavailable");
                LOG.warn("cannot authenticate event deliveries now: {}", u.detail());
                yield Problem.response(HttpStatus.SERVICE_UNAVAILABLE, "Try again",
                        "the delivery's token cannot be checked now (the issuer's keys are unreachable)", null);
            }
        };
    }

    private void rejected(String reason) {
        meters.counter(REJECTED_METRIC, "reason", reason).increment();
    }
}
