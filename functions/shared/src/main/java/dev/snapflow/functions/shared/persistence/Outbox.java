package dev.snapflow.functions.shared.persistence;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Appends events to the outbox inside the caller's transaction; {@link OutboxRelay} publishes them. A row keeps
 * the {@code traceparent} of the span that wrote it, so the relay's send and the next function's span continue
 * the process's trace.
 */
public final class Outbox {
    private Outbox() {
    }

    public static void append(Connection connection, CloudEvent event) throws SQLException {
        event = EventTracing.stampCurrent(event);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO outbox (event_id, event_type, event) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING")) {
            insert.setString(1, event.getId());
            insert.setString(2, event.getType());
            insert.setBytes(3, Events.toJson(event));
            insert.executeUpdate();
        }
    }

    /** The event of that id still in the outbox (published rows stay for the outbox retention), if any. */
    public static Optional<CloudEvent> find(Connection connection, String eventId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT event FROM outbox WHERE event_id = ?")) {
            select.setString(1, eventId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(Events.fromJson(row.getBytes(1))) : Optional.empty();
            }
        }
    }

    /**
     * Puts an event back in the relay's work list unchanged (same id, so idempotent handlers see a redelivery):
     * a row of the same event id is made pending again (clearing any set-aside mark), or a new row is added when
     * retention removed it. Used by operators' replays.
     */
    public static void requeue(Connection connection, CloudEvent event) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(
                "INSERT INTO outbox (event_id, event_type, event) VALUES (?, ?, ?) ON CONFLICT (event_id) DO UPDATE"
                        + " SET event = EXCLUDED.event, published_at = NULL, set_aside_at = NULL, set_aside_reason = NULL")) {
            upsert.setString(1, event.getId());
            upsert.setString(2, event.getType());
            upsert.setBytes(3, Events.toJson(event));
            upsert.executeUpdate();
        }
    }
}
