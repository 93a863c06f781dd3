package dev.snapflow.functions.validate.admin;

import dev.snapflow.contracts.storage.InvalidPathSegmentException;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.functions.shared.http.Problem;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.security.ApiKeys;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.api.JsonBodies;
import dev.snapflow.functions.validate.api.TenantAuthenticator;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Operator endpoints, guarded by {@code Authorization: Bearer <SNAPFLOW_ADMIN_TOKEN>}. {@code snapflow tenant
 * create} calls {@code POST /v1/admin/tenants}; the API key and webhook secret are shown once, in the response,
 * and only the key's hash is stored.
 */
@Controller("/v1/admin")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdminController {
    private final TenantAuthenticator authenticator;
    private final JsonBodies bodies;
    private final Database database;

    public AdminController(TenantAuthenticator authenticator, JsonBodies bodies, Database database) {
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.database = database;
    }

    public record CreateTenant(String id, String displayName, Integer maxConcurrentJobs) {
    }

    public record CreatedTenant(String id, String displayName, Integer maxConcurrentJobs, String apiKey,
                                String webhookSecret) {
    }

    public record CreatedApiKey(String tenant, String apiKey) {
    }

    @Post(uri = "/tenants", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> createTenant(HttpRequest<?> request, @Body @Nullable byte[] body) {
        authenticator.requireAdmin(request);
        CreateTenant create = bodies.read(request, body, CreateTenant.class);
        if (create.id() == null) {
            throw RequestRejected.badRequest("id", "is required");
        }
        try {
            PathSegment.requireSafe("id", create.id());
        } catch (InvalidPathSegmentException e) {
            throw RequestRejected.unprocessable("unsafe_path_segment", "id", e.getMessage().substring(3));
        }
        if (create.maxConcurrentJobs() != null && create.maxConcurrentJobs() < 1) {
            throw RequestRejected.unprocessable("invalid_limit", "maxConcurrentJobs", "must be 1 or more");
        }
        String apiKey = ApiKeys.newKey();
        String secret = WebhookSigner.newSecret();
        String displayName = create.displayName() == null ? create.id() : create.displayName();
        try {
            database.inTransaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO tenants (id, display_name, webhook_secret, max_concurrent_jobs) VALUES (?, ?, ?, ?)")) {
                    insert.setString(1, create.id());
                    insert.setString(2, displayName);
                    insert.setString(3, secret);
                    insert.setObject(4, create.maxConcurrentJobs());
                    insert.executeUpdate();
                }
                insertKey(connection, create.id(), apiKey);
                return null;
            });
        } catch (Database.DatabaseException e) {
            if (e.uniqueViolation()) {
                throw new RequestRejected(409, "Tenant exists", "duplicate_tenant", "id",
                        "tenant " + create.id() + " exists already; create another API key with POST /v1/admin/tenants/"
                                + create.id() + "/api-keys");
            }
            throw e;
        }
        return bodies.json(HttpResponse.created(URI.create("/v1/admin/tenants/" + create.id())),
                new CreatedTenant(create.id(), displayName, create.maxConcurrentJobs(), apiKey, secret));
    }

    @Post(uri = "/tenants/{id}/api-keys", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> createApiKey(HttpRequest<?> request, @PathVariable String id) {
        authenticator.requireAdmin(request);
        String apiKey = ApiKeys.newKey();
        try {
            database.inTransaction(connection -> {
                insertKey(connection, id, apiKey);
                return null;
            });
        } catch (Database.DatabaseException e) {
            if ("23503".equals(e.sqlState())) {
                throw new RequestRejected(404, "Not found", "not_found", "id", "no tenant " + id);
            }
            throw e;
        }
        return bodies.json(HttpResponse.created(URI.create("/v1/admin/tenants/" + id)), new CreatedApiKey(id, apiKey));
    }

    private void insertKey(Connection connection, String tenant, String apiKey) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO api_keys (key_hash, tenant_id, key_prefix) VALUES (?, ?, ?)")) {
            insert.setString(1, authenticator.apiKeys().hash(apiKey));
            insert.setString(2, tenant);
            insert.setString(3, ApiKeys.displayPrefix(apiKey));
            insert.executeUpdate();
        }
    }
}
