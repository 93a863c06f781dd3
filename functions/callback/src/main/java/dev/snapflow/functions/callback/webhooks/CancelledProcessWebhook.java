package dev.snapflow.functions.callback.webhooks;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.functions.shared.events.TypedEventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.shared.persistence.Database;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

/** A cancelled process is a result too: its webhook is called like for success and failure. */
@Singleton
public class CancelledProcessWebhook extends TypedEventHandler<ProcessCancelled> {
    private final Database database;
    private final WebhookOutbox webhooks;

    public CancelledProcessWebhook(Database database, WebhookOutbox webhooks) {
        super(ProcessCancelled.class);
        this.database = database;
        this.webhooks = webhooks;
    }

    @Override
    protected HandlingOutcome handle(ProcessCancelled cancelled, CloudEvent event) {
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
