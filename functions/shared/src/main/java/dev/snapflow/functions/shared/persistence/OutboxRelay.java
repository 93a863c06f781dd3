package dev.snapflow.functions.shared.persistence;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.events.EventPublishException;
import dev.snapflow.functions.shared.events.EventPublisher;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Publishes outbox rows the broker has not acknowledged yet, oldest first, and marks them published. Called
 * right after each commit (the fast path) and on a timer (the safety net for a crash between commit and
 * publish). Rows are claimed with SKIP LOCKED so several replicas never publish the same row at once; a
 * rare second publication after a crash is harmless because every handler is idempotent.
 *
 * <p>The fast path is shared: callers that committed while a round was running wait for the next round, and
 * one round publishes all their rows with one query, one broker round trip and one update. Under load this is
 * what keeps the relay from costing each request its own transaction and broker acknowledgement.
 */
@Singleton
@Requires(beans = {EventPublisher.class, DataSource.class})
public class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;

    private final Database database;
    private final EventPublisher publisher;
    private final MeterRegistry meters;
    private final Thread rounds;
    /** The round that has not started yet; callers that just committed wait for it. Guarded by this. */
    private CompletableFuture<Integer> nextRound = new CompletableFuture<>();
    private boolean roundRequested;
    private boolean closed;

    public OutboxRelay(Database database, EventPublisher publisher, MeterRegistry meters) {
        this.database = database;
        this.publisher = publisher;
        this.meters = meters;
        // Started lazily on the first request, so a function that never commits an event has no extra thread
        // and startup does not pay for one.
        this.rounds = Thread.ofPlatform().name("outbox-relay").daemon().unstarted(this::runRounds);
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
            Batch batch = database.inTransaction(connection -> {
                List<Long> ids = new ArrayList<>();
                List<CloudEvent> events = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id, event FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT " + BATCH
                                + " FOR UPDATE SKIP LOCKED");
                     ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong("id"));
                        events.add(Events.fromJson(rows.getBytes("event")));
                    }
                }
                if (events.isEmpty()) {
                    return new Batch(0, false);
                }
                int acknowledged;
                try {
                    acknowledged = publisher.publishAll(events);
                } catch (EventPublishException e) {
                    meters.counter("snapflow.outbox.publish_failures").increment();
                    throw e;
                }
                if (acknowledged < events.size()) {
                    meters.counter("snapflow.outbox.publish_failures").increment();
                }
                // Only the acknowledged prefix is marked: a refused row and everything after it stay pending, so
                // no row is marked before an older one (later ones may go out twice, which handlers tolerate).
                Array marked = connection.createArrayOf("bigint", ids.subList(0, acknowledged).toArray());
                try (PreparedStatement mark = connection.prepareStatement(
                        "UPDATE outbox SET published_at = now() WHERE id = ANY (?)")) {
                    mark.setArray(1, marked);
                    mark.executeUpdate();
                }
                return new Batch(acknowledged, acknowledged < events.size());
            });
            total += batch.published();
            meters.counter("snapflow.outbox.published").increment(batch.published());
            if (batch.refused() || batch.published() < BATCH) {
                return total;
            }
        }
    }

    /** @param refused the broker refused a row of the batch (later rows were not marked) */
    private record Batch(int published, boolean refused) {
    }

    /**
     * Publishes after a commit without failing the caller: waits for the next round of the relay (which
     * covers the caller's committed rows) and logs when the broker refused; the timer retries what it refused.
     */
    public void flushQuietly() {
        CompletableFuture<Integer> round;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (rounds.getState() == Thread.State.NEW) {
                rounds.start();
            }
            round = nextRound;
            roundRequested = true;
            notifyAll();
        }
        try {
            round.get();
        } catch (ExecutionException e) {
            LOG.warn("could not publish right after commit; the outbox relay will retry: {}", e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runRounds() {
        while (true) {
            CompletableFuture<Integer> round;
            synchronized (this) {
                while (!roundRequested && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    nextRound.complete(0);
                    return;
                }
                roundRequested = false;
                round = nextRound;
                nextRound = new CompletableFuture<>();
            }
            try {
                round.complete(flush());
            } catch (RuntimeException e) {
                round.completeExceptionally(e);
            }
        }
    }

    /** Ends the round thread; rows still pending are published by the timer of this or another replica. */
    @PreDestroy
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
