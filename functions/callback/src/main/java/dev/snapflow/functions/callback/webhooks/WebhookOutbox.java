package dev.snapflow.functions.callback.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * The user's webhook, called once per finished process, signed per Standard Webhooks with the tenant's secret.
 * A delivery is a row written in the same transaction as the process result, so a restart loses none; the
 * {@link WebhookDispatcher}'s workers call it, off the thread that wrote it, retrying with backoff until a 2xx,
 * the attempt limit or the give-up deadline. The webhook-id (the row's id) stays the same across retries, so
 * receivers can deduplicate.
 */
@Singleton
public class WebhookOutbox {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookDispatcher dispatcher;
    private final WebhookTraces traces;

    public WebhookOutbox(WebhookDispatcher dispatcher, WebhookTraces traces) {
        this.dispatcher = dispatcher;
        this.traces = traces;
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
            String id = "msg_" + processId.toString().replace("-", "") + "_" + eventType.replace("process.", "");
            insert.setString(1, id);
            insert.setObject(2, processId);
            insert.setString(3, tenant);
            insert.setString(4, url);
            insert.setString(5, eventType);
            insert.setString(6, JSON.writeValueAsString(payload));
            insert.setTimestamp(7, Timestamp.from(now));
            insert.executeUpdate();
            traces.remember(id);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Call after the transaction that enqueued a delivery committed: wakes the delivery workers and returns at
     * once (the calls run on their pool, never on the caller's thread).
     */
    public void deliverDueQuietly() {
        dispatcher.wake();
    }
}
