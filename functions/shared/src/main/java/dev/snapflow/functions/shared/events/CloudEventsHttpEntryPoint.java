package dev.snapflow.functions.shared.events;

import dev.snapflow.functions.shared.http.Problem;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
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

import java.util.HashMap;
import java.util.Map;

/**
 * Knative entry point: a Trigger delivers CloudEvents (binary or structured HTTP binding) to {@code POST /}.
 * Done = 202, Retry = 503 (429 for back-pressure) so the broker redelivers, Reject = 400 problem+json so it
 * does not; an event that is not a valid CloudEvent is 400 and reaches no handler.
 */
@Controller
public class CloudEventsHttpEntryPoint {
    private final EventDispatcher dispatcher;

    public CloudEventsHttpEntryPoint(EventDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Post(uri = "/", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> receive(HttpRequest<?> request, @Body @Nullable byte[] body) {
        CloudEvent event;
        try {
            Map<String, String> headers = new HashMap<>();
            request.getHeaders().forEach((name, values) -> {
                if (!values.isEmpty()) {
                    headers.put(name, values.get(0));
                }
            });
            if (!headers.containsKey(HttpHeaders.CONTENT_TYPE) && request.getContentType().isPresent()) {
                headers.put(HttpHeaders.CONTENT_TYPE, request.getContentType().get().toString());
            }
            event = HttpMessageFactory.createReader(headers, body == null ? new byte[0] : body).toEvent();
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
}
