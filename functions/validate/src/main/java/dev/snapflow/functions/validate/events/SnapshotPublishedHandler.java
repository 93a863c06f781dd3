package dev.snapflow.functions.validate.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.events.SnapshotPublished;
import dev.snapflow.functions.shared.events.TypedEventHandler;
import dev.snapflow.functions.shared.events.HandlingOutcome;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.validate.accept.AcceptedProcess;
import dev.snapflow.functions.validate.accept.Origin;
import dev.snapflow.functions.validate.accept.ProcessAcceptor;
import dev.snapflow.functions.validate.accept.ProcessRequest;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.senders.SenderCheck;
import io.cloudevents.CloudEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * snapshot.published: starts every pipeline (or action) the tenant subscribed to that entity, on the version
 * just published. Each (subscription, version) is one process, whatever the number of deliveries or repeated
 * publications: the idempotency key is {@code snapshot:{version}:{subscription id}}. Through the broker or Kafka
 * the event must be signed by a sender registered for its tenant ({@link SenderCheck}); {@code POST /v1/events}
 * authenticates it with the tenant's API key and calls {@link #startSubscriptions} directly.
 */
@Singleton
public class SnapshotPublishedHandler extends TypedEventHandler<SnapshotPublished> {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublishedHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProcessAcceptor acceptor;
    private final Database database;
    private final SenderCheck senders;

    public SnapshotPublishedHandler(ProcessAcceptor acceptor, Database database, SenderCheck senders) {
        super(SnapshotPublished.class);
        this.acceptor = acceptor;
        this.database = database;
        this.senders = senders;
    }

    /**
     * What one publication started.
     *
     * @param processes  the process of each subscription started (or found again, for a repeated publication)
     * @param notStarted one line per subscription that could not start, naming it and why
     */
    public record Started(List<UUID> processes, List<String> notStarted) {
    }

    private record Subscription(String id, String target, JsonNode params, String webhookUrl) {
    }

    @Override
    protected HandlingOutcome handle(SnapshotPublished published, CloudEvent event) {
        Optional<SenderCheck.Refusal> refusal = senders.refusal(event, published.tenant());
        if (refusal.isPresent()) {
            return HandlingOutcome.reject(refusal.get().reason());
        }
        Started started = startSubscriptions(published);
        return started.notStarted().isEmpty() ? HandlingOutcome.done()
                : HandlingOutcome.reject(String.join("; ", started.notStarted()));
    }

    /** Starts the subscriptions of a publication whose sender is already known to act for its tenant. */
    public Started startSubscriptions(SnapshotPublished published) {
        List<Subscription> subscriptions = database.inTransaction(connection -> {
            List<Subscription> found = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, target, params, webhook_url FROM subscriptions WHERE tenant_id = ? AND entity = ? ORDER BY created_at")) {
                select.setString(1, published.tenant());
                select.setString(2, published.entity());
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        try {
                            found.add(new Subscription(row.getObject("id").toString(), row.getString("target"),
                                    JSON.readTree(row.getString("params")), row.getString("webhook_url")));
                        } catch (IOException e) {
                            throw new IllegalStateException("stored params unreadable", e);
                        }
                    }
                }
            }
            return found;
        });
        List<String> problems = new ArrayList<>();
        List<UUID> processes = new ArrayList<>();
        for (Subscription subscription : subscriptions) {
            boolean pipeline = acceptor.isPipeline(subscription.target());
            ProcessRequest request = new ProcessRequest(published.entity(), published.dataVersion(),
                    pipeline ? null : subscription.target(), pipeline ? subscription.target() : null,
                    subscription.params(), subscription.webhookUrl());
            try {
                AcceptedProcess accepted = acceptor.accept(published.tenant(), request,
                        "snapshot:" + published.dataVersion() + ":" + subscription.id(), Origin.SUBSCRIPTION);
                processes.add(accepted.processId());
            } catch (RequestRejected e) {
                // e.g. the catalog dropped the pipeline since the subscription was made: others still run.
                LOG.warn("subscription {} of {}/{} not started: {}", subscription.id(), published.tenant(),
                        published.entity(), e.getMessage());
                problems.add("subscription " + subscription.id() + ": " + e.getMessage());
            }
        }
        return new Started(List.copyOf(processes), List.copyOf(problems));
    }
}
