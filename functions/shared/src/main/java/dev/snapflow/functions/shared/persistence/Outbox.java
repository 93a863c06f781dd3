package dev.snapflow.functions.shared.persistence;

import dev.snapflow.contracts.events.Events;
import io.cloudevents.CloudEvent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Appends events to the outbox inside the caller's transaction; {@link OutboxRelay} publishes them. */
public final class Outbox {
    private Outbox() {
    }

    public static void append(Connection connection, CloudEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO outbox (event_id, event_type, event) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING")) {
            insert.setString(1, event.getId());
            insert.setString(2, event.getType());
            insert.setBytes(3, Events.toJson(event));
            insert.executeUpdate();
        }
    }
}
