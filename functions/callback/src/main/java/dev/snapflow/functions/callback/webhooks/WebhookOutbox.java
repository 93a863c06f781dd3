package dev.snapflow.functions.callback.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.snapflow.functions.callback.CallbackConfiguration;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.webhooks.WebhookSigner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The user's webhook, called once per finished process, signed per Standard Webhooks with the tenant's secret.
 * A delivery is a row written in the same transaction as the process result, so a restart loses none; calls
 * are retried with exponential backoff until a 2xx or the attempt limit. The webhook-id stays the same across
 * retries, so receivers can deduplicate.
 */
@Singleton
public class WebhookOutbox {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookOutbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final CallbackConfiguration config;
    private final MeterRegistry meters;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public WebhookOutbox(Database database, CallbackConfiguration config, MeterRegistry meters) {
        this.database = database;
        this.config = config;
        this.meters = meters;
    }

    /** Adds the delivery of a result, in the caller's transaction; nothing when the process has no webhook. */
    public void enqueue(Connection connection, UUID processId, String tenant, String url, String eventType,
                        JsonNode data, Instant now) throws SQLException {
        if (url == null) {
            return;
        }
        ObjectNode payload = JSON.createObjectNode();
        payload.put("type", eventType);
        payload.put("timestamp", now.toString());
        payload.set("data", data);
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO webhook_deliveries (id, process_id, tenant_id, url, event_type, payload, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""")) {
            insert.setString(1, "msg_" + processId.toString().replace("-", "") + "_" + eventType.replace("process.", ""));
            insert.setObject(2, processId);
            insert.setString(3, tenant);
            insert.setString(4, url);
            insert.setString(5, eventType);
            insert.setString(6, JSON.writeValueAsString(payload));
            insert.setTimestamp(7, Timestamp.from(now));
            insert.executeUpdate();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Scheduled(fixedDelay = "${snapflow.delivery.webhook-poll-interval:1s}", initialDelay = "1s")
    void deliverOnTimer() {
        deliverDueQuietly();
    }

    public void deliverDueQuietly() {
        try {
            deliverDue();
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery pass failed; next pass retries: {}", e.getMessage());
        }
    }

    /** Calls every due webhook once; returns how many were delivered. */
    public synchronized int deliverDue() {
        return database.inTransaction(connection -> {
            List<Due> due = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT d.id, d.url, d.payload, d.attempts, t.webhook_secret FROM webhook_deliveries d
                    JOIN tenants t ON t.id = d.tenant_id
                    WHERE d.delivered_at IS NULL AND d.gave_up_at IS NULL AND d.next_attempt_at <= now()
                    ORDER BY d.next_attempt_at LIMIT 20 FOR UPDATE OF d SKIP LOCKED""");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    due.add(new Due(rows.getString("id"), rows.getString("url"), rows.getString("payload"),
                            rows.getInt("attempts"), rows.getString("webhook_secret")));
                }
            }
            int delivered = 0;
            for (Due delivery : due) {
                Result result = call(delivery);
                int attempts = delivery.attempts + 1;
                if (result.ok) {
                    try (PreparedStatement done = connection.prepareStatement(
                            "UPDATE webhook_deliveries SET delivered_at = now(), attempts = ?, last_status = ?, last_error = NULL WHERE id = ?")) {
                        done.setInt(1, attempts);
                        done.setObject(2, result.status);
                        done.setString(3, delivery.id);
                        done.executeUpdate();
                    }
                    delivered++;
                    meters.counter("snapflow.webhooks", "outcome", "delivered").increment();
                } else {
                    boolean giveUp = attempts >= config.webhookMaxAttempts();
                    Duration wait = backoff(attempts);
                    try (PreparedStatement retry = connection.prepareStatement("""
                            UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?,
                                next_attempt_at = ?, gave_up_at = CASE WHEN ? THEN now() ELSE NULL END WHERE id = ?""")) {
                        retry.setInt(1, attempts);
                        retry.setObject(2, result.status);
                        retry.setString(3, result.error);
                        retry.setTimestamp(4, Timestamp.from(Instant.now().plus(wait)));
                        retry.setBoolean(5, giveUp);
                        retry.setString(6, delivery.id);
                        retry.executeUpdate();
                    }
                    meters.counter("snapflow.webhooks", "outcome", giveUp ? "gave_up" : "retry").increment();
                    LOG.info("webhook {} to {} failed (attempt {}): {}{}", delivery.id, delivery.url, attempts,
                            result.error, giveUp ? "; giving up" : "; retrying in " + wait);
                }
            }
            return delivered;
        });
    }

    private Duration backoff(int attempts) {
        Duration delay = config.webhookBaseDelay().multipliedBy(1L << Math.min(20, attempts - 1));
        return delay.compareTo(config.webhookMaxDelay()) > 0 ? config.webhookMaxDelay() : delay;
    }

    private Result call(Due delivery) {
        long timestamp = Instant.now().getEpochSecond();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(delivery.url))
                    .timeout(config.webhookTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "snapflow-callback")
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.payload));
            for (Map.Entry<String, String> header : WebhookSigner.headers(delivery.secret, delivery.id, timestamp,
                    delivery.payload).entrySet()) {
                request.header(header.getKey(), header.getValue());
            }
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            boolean ok = response.statusCode() / 100 == 2;
            return new Result(ok, response.statusCode(), ok ? null : "HTTP " + response.statusCode());
        } catch (IOException | IllegalArgumentException e) {
            return new Result(false, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, null, "interrupted");
        }
    }

    private record Due(String id, String url, String payload, int attempts, String secret) {
    }

    private record Result(boolean ok, Integer status, String error) {
    }
}
