package dev.snapflow.functions.callback.webhooks;

import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.InvalidEventException;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.functions.shared.events.EventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.shared.persistence.Database;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Set;
import java.util.UUID;

/** A cancelled process is a result too: its webhook is called like for success and failure. */
@Singleton
public class CancelledProcessWebhook implements EventHandler {
    private final Database database;
    private final WebhookOutbox webhooks;

    public CancelledProcessWebhook(Database database, WebhookOutbox webhooks) {
        this.database = database;
        this.webhooks = webhooks;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(EventTypes.PROCESS_CANCELLED);
    }

    @Override
    public HandlingOutcome handle(CloudEvent event) {
        ProcessCancelled cancelled;
        try {
            cancelled = Events.read(event, ProcessCancelled.class);
        } catch (InvalidEventException e) {
            return HandlingOutcome.reject(e.getMessage());
        }
        UUID processId = UUID.fromString(cancelled.processId());
        database.inTransaction(connection -> {
            String url;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT webhook_url FROM processes WHERE id = ? AND tenant_id = ?")) {
                select.setObject(1, processId);
                select.setString(2, cancelled.tenant());
                try (ResultSet row = select.executeQuery()) {
                    url = row.next() ? row.getString(1) : null;
                }
            }
            webhooks.enqueue(connection, processId, cancelled.tenant(), url, "process.cancelled",
                    Events.toJsonNode(cancelled), cancelled.cancelledAt());
            return null;
        });
        webhooks.deliverDueQuietly();
        return HandlingOutcome.done();
    }
}
