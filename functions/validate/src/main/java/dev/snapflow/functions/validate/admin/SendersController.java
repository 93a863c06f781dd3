package dev.snapflow.functions.validate.admin;

import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.api.JsonBodies;
import dev.snapflow.functions.validate.api.TenantAuthenticator;
import dev.snapflow.functions.validate.senders.EventSenders;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Operator endpoints for event senders (admin token): systems that send process.requested / snapshot.published
 * through the broker or Kafka, registered for the tenants they may act for. {@code snapflow sender register|list|
 * revoke} calls these. The signing secret is shown once, in the answer to the registration.
 */
@Controller("/v1/admin/senders")
@ExecuteOn(TaskExecutors.BLOCKING)
public class SendersController {
    private final TenantAuthenticator authenticator;
    private final JsonBodies bodies;
    private final EventSenders senders;

    public SendersController(TenantAuthenticator authenticator, JsonBodies bodies, EventSenders senders) {
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.senders = senders;
    }

    /** The body of a registration. */
    public record RegisterSender(String id, List<String> tenants) {
    }

    public record RegisteredSender(String id, List<String> tenants, Instant createdAt, String signingSecret) {
    }

    public record SenderList(List<EventSenders.Sender> items) {
    }

    @Post(consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> register(HttpRequest<?> request, @Body @Nullable byte[] body) {
        authenticator.requireAdmin(request);
        RegisterSender register = bodies.read(request, body, RegisterSender.class);
        EventSenders.Registered registered = senders.register(register.id(), register.tenants());
        EventSenders.Sender sender = registered.sender();
        return bodies.json(HttpResponse.created(URI.create("/v1/admin/senders/" + sender.id())),
                new RegisteredSender(sender.id(), sender.tenants(), sender.createdAt(), registered.signingSecret()));
    }

    @Get(produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> list(HttpRequest<?> request) {
        authenticator.requireAdmin(request);
        return bodies.ok(new SenderList(senders.list()));
    }

    /** Revokes a sender: its events are refused from then on (within the check's cache window). Repeatable. */
    @Delete(uri = "/{id}", produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> revoke(HttpRequest<?> request, @PathVariable String id) {
        authenticator.requireAdmin(request);
        return senders.revoke(id).<HttpResponse<?>>map(bodies::ok)
                .orElseThrow(() -> new RequestRejected(404, "Not found", "not_found", "id", "no sender " + id));
    }
}
