package dev.snapflow.functions.validate.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.security.ApiKeys;
import dev.snapflow.functions.validate.ValidateConfiguration;
import dev.snapflow.functions.validate.accept.RequestRejected;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;

/**
 * Finds the tenant of a request from its API key ({@code Authorization: Bearer sfk_...} or {@code X-Api-Key}),
 * comparing only hashes; guards the admin endpoints with the admin token.
 *
 * <p>A key found valid is remembered for {@link #REMEMBERED_FOR} (by its hash, bounded), so a client sending
 * many requests costs one database lookup per key and interval instead of one per request; the price is that
 * revoking a key takes effect on other replicas within that interval (on the replica that revoked it, at once:
 * {@link #forget}). An unknown key is never remembered, so a key created a moment ago works at once.
 *
 * <p>A key's {@code last_used_at} is written at most once per {@link #USAGE_RECORDED_EVERY} per key and replica
 * (and the UPDATE skips rows written within that interval by another replica): one small write a minute per
 * active key, not one per request.
 */
@Singleton
public class TenantAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(TenantAuthenticator.class);
    public static final String API_KEY_HEADER = "X-Api-Key";
    static final Duration REMEMBERED_FOR = Duration.ofSeconds(5);
    static final Duration USAGE_RECORDED_EVERY = Duration.ofMinutes(1);

    private final Database database;
    private final Cache<String, String> tenantsByKeyHash = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(REMEMBERED_FOR).build();
    private final Cache<String, Boolean> usageRecently = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(USAGE_RECORDED_EVERY).build();
    private final ApiKeys apiKeys;
    private final byte[] adminToken;

    public TenantAuthenticator(Database database, ValidateConfiguration config) {
        this.database = database;
        this.apiKeys = new ApiKeys(config.apiKeyPepper());
        this.adminToken = config.adminToken().getBytes(StandardCharsets.UTF_8);
    }

    public ApiKeys apiKeys() {
        return apiKeys;
    }

    /** @throws RequestRejected 401 when the key is missing, unknown or revoked */
    public String tenantOf(HttpRequest<?> request) {
        String key = presentedKey(request).orElseThrow(() -> new RequestRejected(401, "Unauthorized", "unauthenticated",
                "Authorization", "an API key is required: Authorization: Bearer sfk_... (or X-Api-Key)"));
        String hash = apiKeys.hash(key);
        String remembered = tenantsByKeyHash.getIfPresent(hash);
        if (remembered != null) {
            recordUsage(hash);
            return remembered;
        }
        Optional<String> tenant = database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT tenant_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")) {
                select.setString(1, hash);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(row.getString(1)) : Optional.<String>empty();
                }
            }
        });
        tenant.ifPresent(id -> {
            tenantsByKeyHash.put(hash, id);
            recordUsage(hash);
        });
        return tenant.orElseThrow(() -> new RequestRejected(401, "Unauthorized", "unauthenticated", "Authorization",
                "the API key is not valid"));
    }

    /** Stops remembering a key (it was just revoked here), so this replica refuses it from the next request. */
    public void forget(String keyHash) {
        tenantsByKeyHash.invalidate(keyHash);
    }

    private void recordUsage(String hash) {
        if (usageRecently.asMap().putIfAbsent(hash, Boolean.TRUE) != null) {
            return;
        }
        try {
            database.inTransaction(connection -> {
                try (PreparedStatement update = connection.prepareStatement("UPDATE api_keys SET last_used_at = now() "
                        + "WHERE key_hash = ? AND (last_used_at IS NULL OR last_used_at < now() - ? * interval '1 second')")) {
                    update.setString(1, hash);
                    update.setLong(2, USAGE_RECORDED_EVERY.toSeconds());
                    return update.executeUpdate();
                }
            });
        } catch (Database.DatabaseException e) {
            // The key is valid; a usage time that is a little old is no reason to refuse the request. Try next time.
            usageRecently.invalidate(hash);
            LOG.warn("could not record an API key's last use: {}", e.getMessage());
        }
    }

    /** @throws RequestRejected 401 unless the admin token is presented */
    public void requireAdmin(HttpRequest<?> request) {
        String token = bearer(request).orElse("");
        if (!MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
            throw new RequestRejected(401, "Unauthorized", "unauthenticated", "Authorization",
                    "the admin token is required: Authorization: Bearer <SNAPFLOW_ADMIN_TOKEN>");
        }
    }

    private static Optional<String> presentedKey(HttpRequest<?> request) {
        Optional<String> header = request.getHeaders().getFirst(API_KEY_HEADER).map(String::trim).filter(s -> !s.isEmpty());
        return header.isPresent() ? header : bearer(request);
    }

    private static Optional<String> bearer(HttpRequest<?> request) {
        return request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION)
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim())
                .filter(value -> !value.isEmpty());
    }
}
