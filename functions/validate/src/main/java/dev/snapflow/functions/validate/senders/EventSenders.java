package dev.snapflow.functions.validate.senders;

import dev.snapflow.contracts.events.EventSignatures;
import dev.snapflow.contracts.storage.InvalidPathSegmentException;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.validate.ValidateConfiguration;
import dev.snapflow.functions.validate.accept.RequestRejected;
import jakarta.inject.Singleton;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registry of event senders (tables {@code event_senders}, {@code event_sender_tenants}; validate owns them):
 * systems allowed to send process.requested / snapshot.published through the broker or Kafka for some tenants.
 *
 * <p>A sender's signing secret is not stored: it is HMAC-SHA256(pepper, id + random salt), recomputed on demand,
 * so a leaked table reveals no secret without SNAPFLOW_API_KEY_PEPPER (which validate alone holds).
 */
@Singleton
public class EventSenders {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final SecretKeySpec secretKey;

    public EventSenders(Database database, ValidateConfiguration config) {
        this.database = database;
        this.secretKey = new SecretKeySpec(config.apiKeyPepper().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** A sender as operators see it (never its secret). */
    public record Sender(String id, List<String> tenants, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
    }

    /** A new registration: the secret is shown only in this answer. */
    public record Registered(Sender sender, String signingSecret) {
    }

    /** What verifying an event needs. */
    public record Credentials(String id, String signingSecret, Set<String> tenants, boolean revoked) {
    }

    /**
     * @throws RequestRejected 400/422 naming {@code id} or {@code tenants}, 409 when the id is taken (also by a
     *                         revoked sender)
     */
    public Registered register(String id, List<String> tenants) {
        if (id == null) {
            throw RequestRejected.badRequest("id", "is required");
        }
        try {
            PathSegment.requireSafe("id", id);
        } catch (InvalidPathSegmentException e) {
            throw RequestRejected.unprocessable("unsafe_path_segment", "id", e.getMessage().substring(3));
        }
        if (tenants == null || tenants.isEmpty() || tenants.stream().anyMatch(t -> t == null || t.isBlank())) {
            throw RequestRejected.unprocessable("missing_tenants", "tenants", "name at least one tenant the sender may act for");
        }
        Set<String> distinct = new TreeSet<>(tenants);
        byte[] saltBytes = new byte[16];
        RANDOM.nextBytes(saltBytes);
        String salt = Base64.getEncoder().encodeToString(saltBytes);
        try {
            return database.inTransaction(connection -> {
                List<String> unknown = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM tenants WHERE id = ?")) {
                    for (String tenant : distinct) {
                        select.setString(1, tenant);
                        try (ResultSet row = select.executeQuery()) {
                            if (!row.next()) {
                                unknown.add(tenant);
                            }
                        }
                    }
                }
                if (!unknown.isEmpty()) {
                    throw RequestRejected.unprocessable("unknown_tenant", "tenants", "no such tenant: " + String.join(", ", unknown));
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO event_senders (id, secret_salt) VALUES (?, ?)")) {
                    insert.setString(1, id);
                    insert.setString(2, salt);
                    insert.executeUpdate();
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO event_sender_tenants (sender_id, tenant_id) VALUES (?, ?)")) {
                    for (String tenant : distinct) {
                        insert.setString(1, id);
                        insert.setString(2, tenant);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return new Registered(find(connection, id).orElseThrow(), secret(id, salt));
            });
        } catch (Database.DatabaseException e) {
            if (e.uniqueViolation()) {
                throw new RequestRejected(409, "Sender exists", "duplicate_sender", "id", "sender " + id
                        + " is registered already (ids of revoked senders are not reused); choose another id");
            }
            throw e;
        }
    }

    /** Every sender, revoked ones included, oldest first. */
    public List<Sender> list() {
        return database.inTransaction(connection -> {
            Map<String, Sender> senders = new LinkedHashMap<>();
            try (PreparedStatement select = connection.prepareStatement(SELECT_SENDERS + " ORDER BY s.created_at, s.id");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Sender sender = sender(row);
                    senders.put(sender.id(), sender);
                }
            }
            return List.copyOf(senders.values());
        });
    }

    /** Revokes a sender (at once for new lookups; see {@link SenderCheck} for the cache window). */
    public Optional<Sender> revoke(String id) {
        return database.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE event_senders SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL")) {
                update.setString(1, id);
                update.executeUpdate();
            }
            return find(connection, id);
        });
    }

    /** The credentials of a sender, revoked or not; empty for an unknown id. */
    public Optional<Credentials> credentials(String id) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT s.secret_salt, s.revoked_at, t.tenant_id FROM event_senders s
                    LEFT JOIN event_sender_tenants t ON t.sender_id = s.id WHERE s.id = ?""")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.<Credentials>empty();
                    }
                    String salt = row.getString("secret_salt");
                    boolean revoked = row.getTimestamp("revoked_at") != null;
                    Set<String> tenants = new TreeSet<>();
                    do {
                        if (row.getString("tenant_id") != null) {
                            tenants.add(row.getString("tenant_id"));
                        }
                    } while (row.next());
                    return Optional.of(new Credentials(id, secret(id, salt), Set.copyOf(tenants), revoked));
                }
            }
        });
    }

    /** Records that a sender was just used, at most once a minute per sender (one write, not one per event). */
    public void touch(String id) {
        database.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE event_senders SET last_used_at = now()
                    WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')""")) {
                update.setString(1, id);
                return update.executeUpdate();
            }
        });
    }

    private static final String SELECT_SENDERS = """
            SELECT s.id, s.created_at, s.last_used_at, s.revoked_at,
                   (SELECT string_agg(t.tenant_id, ',' ORDER BY t.tenant_id) FROM event_sender_tenants t WHERE t.sender_id = s.id) AS tenants
            FROM event_senders s""";

    private static Optional<Sender> find(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT_SENDERS + " WHERE s.id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(sender(row)) : Optional.empty();
            }
        }
    }

    private static Sender sender(ResultSet row) throws SQLException {
        String tenants = row.getString("tenants");
        return new Sender(row.getString("id"), tenants == null ? List.of() : List.of(tenants.split(",")),
                instant(row.getTimestamp("created_at")), instant(row.getTimestamp("last_used_at")),
                instant(row.getTimestamp("revoked_at")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private String secret(String id, String salt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secretKey);
            // Domain-separated from the API key hashes, which use the same pepper.
            return EventSignatures.secretOf(mac.doFinal(("snapflow event sender secret\n" + id + "\n" + salt)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
