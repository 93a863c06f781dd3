package dev.snapflow.functions.shared.persistence;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.events.EventPublishException;
import dev.snapflow.functions.shared.events.EventPublisher;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Publishes outbox rows the broker has not acknowledged yet, oldest first, and marks them published. Called
 * right after each commit (the fast path) and on a timer (the safety net for a crash between commit and
 * publish). Rows are claimed with SKIP LOCKED so several replicas never publish the same row at once; a
 * rare second publication after a crash is harmless because every handler is idempotent.
 */
@Singleton
@Requires(beans = {EventPublisher.class, DataSource.class})
public class OutboxRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;

    private final Database database;
    private final EventPublisher publisher;
    private final MeterRegistry meters;

    public OutboxRelay(Database database, EventPublisher publisher, MeterRegistry meters) {
        this.database = database;
        this.publisher = publisher;
        this.meters = meters;
    }

    @Scheduled(fixedDelay = "${snapflow.outbox.relay-interval:1s}", initialDelay = "1s")
    void relayOnTimer() {
        try {
            int published = flush();
            if (published > 0) {
                LOG.info("outbox relay published {} pending event(s)", published);
            }
        } catch (RuntimeException e) {
            LOG.warn("outbox relay could not publish pending events; will try again: {}", e.getMessage());
        }
    }

    /** Publishes every pending row; returns how many. Stops at the first row the broker refuses. */
    public int flush() {
        int total = 0;
        while (true) {
            int batch = database.inTransaction(connection -> {
                int published = 0;
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id, event FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT " + BATCH
                                + " FOR UPDATE SKIP LOCKED");
                     PreparedStatement mark = connection.prepareStatement(
                             "UPDATE outbox SET published_at = now() WHERE id = ?");
                     ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        CloudEvent event = Events.fromJson(rows.getBytes("event"));
                        try {
                            publisher.publish(event);
                        } catch (EventPublishException e) {
                            meters.counter("snapflow.outbox.publish_failures").increment();
                            if (published == 0) {
                                throw e;
                            }
                            break;
                        }
                        mark.setLong(1, rows.getLong("id"));
                        mark.executeUpdate();
                        published++;
                    }
                }
                return published;
            });
            total += batch;
            meters.counter("snapflow.outbox.published").increment(batch);
            if (batch < BATCH) {
                return total;
            }
        }
    }

    /** Publishes after a commit without failing the caller: the timer retries what the broker refused. */
    public void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("could not publish right after commit; the outbox relay will retry: {}", e.getMessage());
        }
    }
}
