package dev.snapflow.functions.shared.persistence;

import dev.snapflow.contracts.events.Events;
import dev.snapflow.functions.shared.events.EventPublishException;
import dev.snapflow.functions.shared.events.EventPublisher;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import dev.snapflow.functions.shared.failures.Failure;
import dev.snapflow.functions.shared.failures.FailureClassifier;
import dev.snapflow.functions.shared.failures.FailureKind;
import dev.snapflow.functions.shared.tracing.EventTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
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
 *
 * <p>The relay never stalls on one row. A row the broker refuses for good (too large, invalid; see
 * {@link FailureClassifier}) is set aside with its reason ({@code set_aside_at}, {@code set_aside_reason}) and
 * the relay goes on with the next rows, of every key: a set-aside row does not hold back later rows, not even
 * those of its own partition key, because it will never be accepted as it is and holding its key would stop
 * that tenant's entity for good. Consumers do not depend on seeing every event of a key: each handler checks
 * the state it acts on, and a process whose event was set aside is re-driven by the reconciler or failed.
 * An operator replays a set-aside row (after raising the broker's limit, say) with {@code snapflow dead-letters
 * replay}; it is then published late, which the idempotent, state-checking handlers tolerate. Transient
 * failures (the broker down) keep the rows pending; the timer retries them with exponential backoff.
 * Published rows are deleted after {@code snapflow.outbox.retention} in small batches.
 */
@Singleton
@Requires(beans = {EventPublisher.class, DataSource.class})
public class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;
    private static final int PURGE_BATCH = 500;
    private static final int PURGE_BATCHES_PER_TICK = 20;
    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);
    private static final Duration MAX_TIMER_BACKOFF = Duration.ofSeconds(30);

    private final Database database;
    private final EventPublisher publisher;
    private final MeterRegistry meters;
    private final EventTracing tracing;
    private final Thread rounds;
    private final Duration retention;
    private final Duration relayInterval;
    /** Timer backoff after transient failures; touched by the scheduler thread only. */
    private int consecutiveFailures;
    private Instant nextTimerAttempt = Instant.EPOCH;
    private Instant nextPurge = Instant.EPOCH;
    /** The round that has not started yet; callers that just committed wait for it. Guarded by this. */
    private CompletableFuture<Integer> nextRound = new CompletableFuture<>();
    private boolean roundRequested;
    private boolean closed;

    public OutboxRelay(Database database, EventPublisher publisher, MeterRegistry meters, EventTracing tracing,
                       @Value("${snapflow.outbox.retention:7d}") Duration retention,
                       @Value("${snapflow.outbox.relay-interval:1s}") Duration relayInterval) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("snapflow.outbox.retention (env SNAPFLOW_OUTBOX_RETENTION) must be positive");
        }
        this.retention = retention;
        this.relayInterval = relayInterval;
        this.database = database;
        this.publisher = publisher;
        this.meters = meters;
        this.tracing = tracing;
        // Started lazily on the first request, so a function that never commits an event has no extra thread
        // and startup does not pay for one.
        this.rounds = Thread.ofPlatform().name("outbox-relay").daemon().unstarted(this::runRounds);
    }

    @Scheduled(fixedDelay = "${snapflow.outbox.relay-interval:1s}", initialDelay = "1s")
    void relayOnTimer() {
        Instant now = Instant.now();
        if (now.isBefore(nextTimerAttempt)) {
            return;
        }
        try {
            int published = flush();
            consecutiveFailures = 0;
            if (published > 0) {
                LOG.info("outbox relay published {} pending event(s)", published);
            }
        } catch (RuntimeException e) {
            consecutiveFailures++;
            long backoff = (long) Math.min(MAX_TIMER_BACKOFF.toMillis(),
                    relayInterval.toMillis() * Math.pow(2, Math.min(consecutiveFailures - 1, 20)));
            nextTimerAttempt = now.plusMillis(backoff);
            LOG.warn("outbox relay could not publish pending events; will try again in {} ms: {}", backoff, e.getMessage());
        }
        if (!now.isBefore(nextPurge)) {
            nextPurge = now.plus(PURGE_EVERY);
            try {
                int purged = purgePublished();
                if (purged > 0) {
                    LOG.info("outbox relay removed {} row(s) published more than {} ago", purged, retention);
                }
            } catch (RuntimeException e) {
                LOG.warn("outbox relay could not remove old published rows; will try again: {}", e.getMessage());
            }
        }
    }

    /**
     * Deletes rows published longer than the retention ago, a small batch per transaction (short locks, no
     * long-running delete competing with the relay), at most a bounded number of batches per call.
     */
    public int purgePublished() {
        int total = 0;
        for (int i = 0; i < PURGE_BATCHES_PER_TICK; i++) {
            int deleted = database.inTransaction(connection -> {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < now() - ?::interval"
                                + " ORDER BY published_at LIMIT " + PURGE_BATCH + " FOR UPDATE SKIP LOCKED)")) {
                    delete.setString(1, retention.toMillis() + " milliseconds");
                    return delete.executeUpdate();
                }
            });
            total += deleted;
            if (deleted < PURGE_BATCH) {
                break;
            }
        }
        meters.counter("snapflow.outbox.purged").increment(total);
        return total;
    }

    /**
     * Publishes every pending row; returns how many. A row the broker refuses for good is set aside and the
     * relay goes on; a transient refusal stops the call (the rows stay pending for the next attempt).
     */
    public int flush() {
        int total = 0;
        while (true) {
            Batch batch = database.inTransaction(connection -> {
                List<Long> ids = new ArrayList<>();
                List<CloudEvent> events = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id, event FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL ORDER BY id LIMIT "
                                + BATCH + " FOR UPDATE SKIP LOCKED");
                     ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong("id"));
                        events.add(Events.fromJson(rows.getBytes("event")));
                    }
                }
                if (events.isEmpty()) {
                    return new Batch(0, false, false);
                }
                int acknowledged;
                // one send span per row, a child of the span that wrote it (its traceparent)
                List<Span> sends = new ArrayList<>(events.size());
                events.forEach(event -> sends.add(tracing.startSend(event)));
                try {
                    acknowledged = publisher.publishAll(events);
                    endSends(sends, acknowledged, "not acknowledged");
                } catch (EventPublishException e) {
                    endSends(sends, 0, e.getMessage());
                    meters.counter("snapflow.outbox.publish_failures").increment();
                    Failure failure = FailureClassifier.classify(e);
                    if (failure.kind() != FailureKind.PERMANENT) {
                        throw e;
                    }
                    // publishAll fails only when the first row was refused: that row is the poison
                    setAside(connection, ids.get(0), events.get(0), failure.reason());
                    return new Batch(0, false, true);
                }
                if (acknowledged < events.size()) {
                    meters.counter("snapflow.outbox.publish_failures").increment();
                }
                // Only the acknowledged prefix is marked: a refused row and everything after it stay pending, so
                // no row is marked before an older one (later ones may go out twice, which handlers tolerate).
                // The next pass starts with the refused row alone and learns whether it is refused for good.
                Array marked = connection.createArrayOf("bigint", ids.subList(0, acknowledged).toArray());
                try (PreparedStatement mark = connection.prepareStatement(
                        "UPDATE outbox SET published_at = now() WHERE id = ANY (?)")) {
                    mark.setArray(1, marked);
                    mark.executeUpdate();
                }
                return new Batch(acknowledged, acknowledged < events.size(), false);
            });
            total += batch.published();
            meters.counter("snapflow.outbox.published").increment(batch.published());
            if (batch.setAside() || (batch.refused() && batch.published() > 0)) {
                continue;
            }
            if (batch.refused() || batch.published() < BATCH) {
                return total;
            }
        }
    }

    /** Ends the send spans: the first {@code acknowledged} went out, the others failed with {@code reason}. */
    private static void endSends(List<Span> sends, int acknowledged, String reason) {
        for (int i = 0; i < sends.size(); i++) {
            if (i >= acknowledged) {
                sends.get(i).setStatus(StatusCode.ERROR, reason);
            }
            sends.get(i).end();
        }
    }

    private void setAside(Connection connection, long id, CloudEvent event, String reason) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox SET set_aside_at = now(), set_aside_reason = ? WHERE id = ?")) {
            update.setString(1, reason);
            update.setLong(2, id);
            update.executeUpdate();
        }
        meters.counter("snapflow.outbox.set_aside", "type", event.getType()).increment();
        LOG.error("outbox row {} (event {} of type {}) set aside, the broker refuses it for good: {}", id, event.getId(),
                event.getType(), reason);
    }

    /**
     * @param refused  the broker refused a row of the batch (later rows were not marked)
     * @param setAside the first row was refused for good and set aside
     */
    private record Batch(int published, boolean refused, boolean setAside) {
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
