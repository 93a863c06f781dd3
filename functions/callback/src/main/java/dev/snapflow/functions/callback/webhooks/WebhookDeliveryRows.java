package dev.snapflow.functions.callback.webhooks;

import dev.snapflow.functions.shared.persistence.Database;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The webhook_deliveries rows as the delivery workers see them: which tenants have deliveries due, claiming one
 * with a lease (so no transaction stays open during a call, and a dead worker's row comes back when the lease
 * runs out), and recording the outcome under that lease.
 */
@Singleton
public class WebhookDeliveryRows {
    private final Database database;

    public WebhookDeliveryRows(Database database) {
        this.database = database;
    }

    /** A tenant with deliveries ready now, and how many of its calls are in flight (in any replica). */
    public record DueTenant(String tenant, int inFlight) {
    }

    /** A claimed delivery; {@code attempts} counts this one. */
    public record Claimed(String id, String tenant, String url, String payload, int attempts, Instant createdAt,
                          String secret, UUID leaseToken) {
    }

    /** Tenants with a delivery ready to call (due, not leased), by tenant id. */
    public List<DueTenant> dueTenants() {
        return database.inTransaction(connection -> {
            List<DueTenant> tenants = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT tenant_id, count(*) FILTER (WHERE leased_until > now()) AS in_flight
                    FROM webhook_deliveries
                    WHERE delivered_at IS NULL AND gave_up_at IS NULL
                    GROUP BY tenant_id
                    HAVING count(*) FILTER (WHERE next_attempt_at <= now()
                                              AND (leased_until IS NULL OR leased_until <= now())) > 0
                    ORDER BY tenant_id""");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    tenants.add(new DueTenant(rows.getString("tenant_id"), rows.getInt("in_flight")));
                }
            }
            return tenants;
        });
    }

    /** Claims the tenant's oldest ready delivery for {@code lease}, counting the attempt; empty if none is left. */
    public Optional<Claimed> claimNext(String tenant, Duration lease) {
        UUID token = UUID.randomUUID();
        return database.inTransaction(connection -> {
            try (PreparedStatement claim = connection.prepareStatement("""
                    UPDATE webhook_deliveries d
                    SET leased_until = now() + make_interval(secs => ?), lease_token = ?, attempts = d.attempts + 1
                    FROM tenants t
                    WHERE t.id = d.tenant_id AND d.id = (
                        SELECT id FROM webhook_deliveries
                        WHERE tenant_id = ? AND delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= now()
                          AND (leased_until IS NULL OR leased_until <= now())
                        ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING d.id, d.url, d.payload, d.attempts, d.created_at, t.webhook_secret""")) {
                claim.setDouble(1, lease.toMillis() / 1000.0);
                claim.setObject(2, token);
                claim.setString(3, tenant);
                try (ResultSet row = claim.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Claimed(row.getString("id"), tenant, row.getString("url"),
                            row.getString("payload"), row.getInt("attempts"), row.getTimestamp("created_at").toInstant(),
                            row.getString("webhook_secret"), token));
                }
            }
        });
    }

    /** @return false if the lease was lost meanwhile (another worker owns the row now) */
    public boolean markDelivered(Claimed claimed, int status) {
        return database.inTransaction(connection -> {
            try (PreparedStatement done = connection.prepareStatement("""
                    UPDATE webhook_deliveries SET delivered_at = now(), last_status = ?, last_error = NULL,
                        leased_until = NULL, lease_token = NULL
                    WHERE id = ? AND lease_token = ?""")) {
                done.setInt(1, status);
                done.setString(2, claimed.id());
                done.setObject(3, claimed.leaseToken());
                return done.executeUpdate() == 1;
            }
        });
    }

    /**
     * Records a failed attempt: retried at {@code nextAttemptAt}, or given up when that is null.
     *
     * @return false if the lease was lost meanwhile
     */
    public boolean markFailed(Claimed claimed, Integer status, String error, Instant nextAttemptAt) {
        return database.inTransaction(connection -> {
            try (PreparedStatement failed = connection.prepareStatement("""
                    UPDATE webhook_deliveries SET last_status = ?, last_error = ?,
                        next_attempt_at = COALESCE(?, next_attempt_at),
                        gave_up_at = CASE WHEN ? THEN now() ELSE NULL END,
                        leased_until = NULL, lease_token = NULL
                    WHERE id = ? AND lease_token = ?""")) {
                failed.setObject(1, status);
                failed.setString(2, error);
                failed.setTimestamp(3, nextAttemptAt == null ? null : Timestamp.from(nextAttemptAt));
                failed.setBoolean(4, nextAttemptAt == null);
                failed.setString(5, claimed.id());
                failed.setObject(6, claimed.leaseToken());
                return failed.executeUpdate() == 1;
            }
        });
    }
}
