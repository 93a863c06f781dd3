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
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Operator endpoints, guarded by {@code Authorization: Bearer <SNAPFLOW_ADMIN_TOKEN>}. {@code snapflow tenant
 * create} calls {@code POST /v1/admin/tenants}; the API key and webhook secret are shown once, in the response,
 * and only the key's hash is stored. A tenant's keys are listed (id, prefix, created, last used, revoked; never
 * the hash) and revoked by id: {@code snapflow tenant keys list|create|revoke}.
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
                                UUID apiKeyId, String webhookSecret) {
    }

    public record CreatedApiKey(String tenant, UUID id, String apiKey) {
    }

    /** What an operator may see of a key: enough to recognise and revoke it, nothing to use it. */
    public record ApiKeyView(UUID id, String tenant, String prefix, OffsetDateTime createdAt,
                             OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {
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
        UUID keyId;
        try {
            keyId = database.inTransaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO tenants (id, display_name, webhook_secret, max_concurrent_jobs) VALUES (?, ?, ?, ?)")) {
                    insert.setString(1, create.id());
                    insert.setString(2, displayName);
                    insert.setString(3, secret);
                    insert.setObject(4, create.maxConcurrentJobs());
                    insert.executeUpdate();
                }
                return insertKey(connection, create.id(), apiKey);
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
                new CreatedTenant(create.id(), displayName, create.maxConcurrentJobs(), apiKey, keyId, secret));
    }

    @Post(uri = "/tenants/{id}/api-keys", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> createApiKey(HttpRequest<?> request, @PathVariable String id) {
        authenticator.requireAdmin(request);
        String apiKey = ApiKeys.newKey();
        UUID keyId;
        try {
            keyId = database.inTransaction(connection -> insertKey(connection, id, apiKey));
        } catch (Database.DatabaseException e) {
            if ("23503".equals(e.sqlState())) {
                throw new RequestRejected(404, "Not found", "not_found", "id", "no tenant " + id);
            }
            throw e;
        }
        return bodies.json(HttpResponse.created(URI.create("/v1/admin/tenants/" + id)), new CreatedApiKey(id, keyId, apiKey));
    }

    @Get(uri = "/tenants/{id}/api-keys", produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> listApiKeys(HttpRequest<?> request, @PathVariable String id) {
        authenticator.requireAdmin(request);
        List<ApiKeyView> keys = database.inTransaction(connection -> {
            requireTenant(connection, id);
            try (PreparedStatement select = connection.prepareStatement("SELECT " + KEY_COLUMNS
                    + " FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id")) {
                select.setString(1, id);
                List<ApiKeyView> views = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        views.add(view(row));
                    }
                }
                return views;
            }
        });
        return bodies.ok(Map.of("items", keys));
    }

    /**
     * Revokes a key: this replica refuses it from the next request, the others once they stop remembering it
     * (within {@code TenantAuthenticator.REMEMBERED_FOR}, 5 s). Revoking a revoked key changes nothing.
     */
    @Delete(uri = "/tenants/{id}/api-keys/{keyId}", produces = {MediaType.APPLICATION_JSON, Problem.CONTENT_TYPE})
    public HttpResponse<?> revokeApiKey(HttpRequest<?> request, @PathVariable String id, @PathVariable String keyId) {
        authenticator.requireAdmin(request);
        UUID key;
        try {
            key = UUID.fromString(keyId);
        } catch (IllegalArgumentException e) {
            throw new RequestRejected(404, "Not found", "not_found", "keyId", "no API key " + keyId + " of tenant " + id);
        }
        Optional<Revoked> revoked = database.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE api_keys SET revoked_at = "
                    + "coalesce(revoked_at, now()) WHERE tenant_id = ? AND id = ? RETURNING key_hash, " + KEY_COLUMNS)) {
                update.setString(1, id);
                update.setObject(2, key);
                try (ResultSet row = update.executeQuery()) {
                    return row.next() ? Optional.of(new Revoked(row.getString("key_hash"), view(row))) : Optional.<Revoked>empty();
                }
            }
        });
        Revoked done = revoked.orElseThrow(() -> new RequestRejected(404, "Not found", "not_found", "keyId",
                "no API key " + keyId + " of tenant " + id));
        authenticator.forget(done.keyHash());
        return bodies.ok(done.view());
    }

    private record Revoked(String keyHash, ApiKeyView view) {
    }

    private static final String KEY_COLUMNS = "id, tenant_id, key_prefix, created_at, last_used_at, revoked_at";

    private static ApiKeyView view(ResultSet row) throws SQLException {
        return new ApiKeyView(row.getObject("id", UUID.class), row.getString("tenant_id"), row.getString("key_prefix"),
                row.getObject("created_at", OffsetDateTime.class), row.getObject("last_used_at", OffsetDateTime.class),
                row.getObject("revoked_at", OffsetDateTime.class));
    }

    private static void requireTenant(Connection connection, String tenant) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM tenants WHERE id = ?")) {
            select.setString(1, tenant);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new RequestRejected(404, "Not found", "not_found", "id", "no tenant " + tenant);
                }
            }
        }
    }

    private UUID insertKey(Connection connection, String tenant, String apiKey) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO api_keys (key_hash, tenant_id, key_prefix) VALUES (?, ?, ?) RETURNING id")) {
            insert.setString(1, authenticator.apiKeys().hash(apiKey));
            insert.setString(2, tenant);
            insert.setString(3, ApiKeys.displayPrefix(apiKey));
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getObject(1, UUID.class);
            }
        }
    }
}
