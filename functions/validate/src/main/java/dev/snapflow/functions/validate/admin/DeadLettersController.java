package dev.snapflow.functions.validate.admin;

import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.shared.persistence.DeadLetterStore;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.api.JsonBodies;
import dev.snapflow.functions.validate.api.TenantAuthenticator;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.List;

/**
 * Operators' view of what did not go through: dead letters ({@code dl-<n>}) and outbox rows the broker refused
 * for good ({@code outbox-<n>}). Admin token only: dead letters hold tenants' data. {@code snapflow dead-letters
 * list|show|replay} calls these. Replay republishes the original event unchanged (same id) through the outbox.
 */
@Controller("/v1/admin/dead-letters")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DeadLettersController {
    private static final int MAX_LIMIT = 1000;

    private final TenantAuthenticator authenticator;
    private final JsonBodies bodies;
    private final DeadLetterStore store;
    private final OutboxRelay relay;

    public DeadLettersController(TenantAuthenticator authenticator, JsonBodies bodies, DeadLetterStore store,
                                 OutboxRelay relay) {
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.store = store;
        this.relay = relay;
    }

    public record Listed(List<DeadLetterStore.Entry> items) {
    }

    public record Replayed(String id, String eventId, String eventType) {
    }

    @Get(produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> list(HttpRequest<?> request, @QueryValue @Nullable Integer limit,
                                @QueryValue @Nullable Boolean includeReplayed) {
        authenticator.requireAdmin(request);
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > MAX_LIMIT) {
            throw RequestRejected.badRequest("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return bodies.ok(new Listed(store.list(max, Boolean.TRUE.equals(includeReplayed))));
    }

    @Get(uri = "/{id}", produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> show(HttpRequest<?> request, @PathVariable String id) {
        authenticator.requireAdmin(request);
        return bodies.ok(store.show(id).orElseThrow(() -> notFound(id)));
    }

    @Post(uri = "/{id}/replay", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> replay(HttpRequest<?> request, @PathVariable String id) {
        authenticator.requireAdmin(request);
        return switch (store.replay(id)) {
            case DeadLetterStore.NotFound n -> throw notFound(id);
            case DeadLetterStore.NotReplayable n ->
                    throw new RequestRejected(409, "Not replayable", "not_replayable", "id", n.reason());
            case DeadLetterStore.Replayed r -> {
                relay.flushQuietly();
                yield bodies.json(HttpResponse.accepted(), new Replayed(id, r.eventId(), r.eventType()));
            }
        };
    }

    private static RequestRejected notFound(String id) {
        return new RequestRejected(404, "Not found", "not_found", "id",
                "no dead letter or set-aside event " + id + " (ids look like dl-12 or outbox-34)");
    }
}
