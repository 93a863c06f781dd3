package dev.snapflow.functions.validate.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.storage.CanonicalJson;
import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.validate.accept.ProcessAcceptor;
import dev.snapflow.functions.validate.accept.ProcessRequest;
import dev.snapflow.functions.validate.accept.RequestRejected;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's subscriptions: "when a new snapshot of this entity is published, run this pipeline (or action)".
 * Checked like a process request (known target, valid params) when created.
 */
@Controller("/v1/subscriptions")
@ExecuteOn(TaskExecutors.BLOCKING)
public class SubscriptionsController {
    private final TenantAuthenticator authenticator;
    private final JsonBodies bodies;
    private final ProcessAcceptor acceptor;
    private final Database database;

    public SubscriptionsController(TenantAuthenticator authenticator, JsonBodies bodies, ProcessAcceptor acceptor,
                                   Database database) {
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.acceptor = acceptor;
        this.database = database;
    }

    public record CreateSubscription(String entity, String action, String pipeline, JsonNode params, String webhookUrl) {
    }

    public record SubscriptionView(String id, String entity, String action, String pipeline, JsonNode params,
                                   String webhookUrl) {
    }

    @Post(consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> create(HttpRequest<?> request, @Body @Nullable byte[] body) {
        String tenant = authenticator.tenantOf(request);
        CreateSubscription create = bodies.read(request, body, CreateSubscription.class);
        // Validated as a request for the 'latest' version would be; nothing is read from storage here.
        var valid = acceptor.validateOnly(new ProcessRequest(create.entity(), "latest", create.action(),
                create.pipeline(), create.params(), create.webhookUrl()));
        UUID id = UUID.randomUUID();
        try {
            database.inTransaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement("""
                        INSERT INTO subscriptions (id, tenant_id, entity, target, params, webhook_url)
                        VALUES (?, ?, ?, ?, ?::jsonb, ?)""")) {
                    insert.setObject(1, id);
                    insert.setString(2, tenant);
                    insert.setString(3, create.entity());
                    insert.setString(4, valid.target());
                    insert.setString(5, CanonicalJson.canonicalize(valid.params()));
                    insert.setString(6, create.webhookUrl());
                    return insert.executeUpdate();
                }
            });
        } catch (Database.DatabaseException e) {
            if (e.uniqueViolation()) {
                throw new RequestRejected(409, "Already subscribed", "duplicate_subscription", "entity",
                        "a subscription of " + create.entity() + " to " + valid.target() + " exists already");
            }
            throw e;
        }
        return bodies.json(HttpResponse.created(URI.create("/v1/subscriptions/" + id)),
                new SubscriptionView(id.toString(), create.entity(), create.action(), create.pipeline(), valid.params(),
                        create.webhookUrl()));
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> list(HttpRequest<?> request) {
        String tenant = authenticator.tenantOf(request);
        List<SubscriptionView> views = database.inTransaction(connection -> {
            List<SubscriptionView> result = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT * FROM subscriptions WHERE tenant_id = ? ORDER BY entity, target")) {
                select.setString(1, tenant);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        String target = row.getString("target");
                        boolean pipeline = acceptor.isPipeline(target);
                        result.add(new SubscriptionView(row.getObject("id").toString(), row.getString("entity"),
                                pipeline ? null : target, pipeline ? target : null,
                                bodies.writer().readTree(row.getString("params")), row.getString("webhook_url")));
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return result;
        });
        return bodies.ok(java.util.Map.of("items", views));
    }

    @Delete(uri = "/{id}", produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> delete(HttpRequest<?> request, @PathVariable String id) {
        String tenant = authenticator.tenantOf(request);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Problem.response(HttpStatus.NOT_FOUND, "Not found", "no subscription " + id, "id");
        }
        int deleted = database.inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM subscriptions WHERE id = ? AND tenant_id = ?")) {
                delete.setObject(1, uuid);
                delete.setString(2, tenant);
                return delete.executeUpdate();
            }
        });
        return deleted == 0 ? Problem.response(HttpStatus.NOT_FOUND, "Not found", "no subscription " + id, "id")
                : HttpResponse.noContent();
    }
}
