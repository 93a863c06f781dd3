package dev.snapflow.functions.shared.metrics;

import dev.snapflow.functions.shared.persistence.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of what waits in the store: steps queued, launching and running, the age of the oldest ready one and of
 * the oldest one holding a slot, unreplayed dead letters and the outbox's backlog. Read every
 * {@code SNAPFLOW_METRICS_GAUGE_INTERVAL} in one statement that walks only the partial indexes
 * ({@code steps_queued}, {@code steps_active}, {@code outbox_pending}, {@code outbox_set_aside}) and the small
 * dead-letter table, by the one function that has {@code SNAPFLOW_METRICS_GAUGES=true} (callback, which runs at
 * min-scale 1 in production): the values are global, so more readers would only repeat them. A failed read sets
 * every gauge to NaN (a gap in the graph) instead of a stale value.
 */
@Singleton
@Requires(property = "snapflow.metrics.gauges", value = "true")
public class StoreGauges {
    private static final Logger LOG = LoggerFactory.getLogger(StoreGauges.class);

    /** What one read found. */
    record Reading(double queued, double launching, double running, double oldestReadyAge, double oldestActiveAge,
                   double deadLetters, double outboxPending, double outboxSetAside) {
        static final Reading UNKNOWN = new Reading(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN);
    }

    private final Database database;
    private volatile Reading last = Reading.UNKNOWN;

    public StoreGauges(Database database, MeterRegistry meters) {
        this.database = database;
        gauge(meters, "snapflow.steps", "steps in a state that is not final", Reading::queued, "state", "queued");
        gauge(meters, "snapflow.steps", "steps in a state that is not final", Reading::launching, "state", "launching");
        gauge(meters, "snapflow.steps", "steps in a state that is not final", Reading::running, "state", "running");
        Gauge.builder("snapflow.steps.oldest.age", this, g -> g.last.oldestReadyAge()).baseUnit("seconds")
                .description("age of the oldest step: ready and waiting for a slot (queued), or holding one since its"
                        + " attempt was requested (active)")
                .tags("state", "queued").register(meters);
        Gauge.builder("snapflow.steps.oldest.age", this, g -> g.last.oldestActiveAge()).baseUnit("seconds")
                .description("age of the oldest step: ready and waiting for a slot (queued), or holding one since its"
                        + " attempt was requested (active)")
                .tags("state", "active").register(meters);
        gauge(meters, "snapflow.dead_letters.pending", "dead letters not replayed", Reading::deadLetters);
        gauge(meters, "snapflow.outbox.rows", "outbox rows not published: pending, or set aside for good",
                Reading::outboxPending, "state", "pending");
        gauge(meters, "snapflow.outbox.rows", "outbox rows not published: pending, or set aside for good",
                Reading::outboxSetAside, "state", "set_aside");
    }

    private void gauge(MeterRegistry meters, String name, String description, ToDoubleFunction<Reading> value,
                       String... tags) {
        Gauge.builder(name, this, g -> value.applyAsDouble(g.last)).description(description).tags(tags).register(meters);
    }

    @Scheduled(fixedDelay = "${snapflow.metrics.gauge-interval:15s}", initialDelay = "1s")
    void read() {
        try {
            last = database.inTransaction(connection -> {
                try (PreparedStatement select = connection.prepareStatement("""
                        SELECT
                          (SELECT count(*) FROM steps WHERE state = 'QUEUED') AS queued,
                          (SELECT count(*) FROM steps WHERE state = 'LAUNCHING') AS launching,
                          (SELECT count(*) FROM steps WHERE state = 'RUNNING') AS running,
                          (SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(GREATEST(queued_at, not_before))), 0)
                             FROM steps WHERE state = 'QUEUED' AND (not_before IS NULL OR not_before <= now()))
                            AS oldest_ready_age,
                          (SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(a.requested_at)), 0)
                             FROM steps s JOIN attempts a ON a.process_id = s.process_id AND a.step_no = s.step_no
                                                         AND a.attempt = s.current_attempt
                             WHERE s.state IN ('LAUNCHING', 'RUNNING')) AS oldest_active_age,
                          (SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL) AS dead_letters,
                          (SELECT count(*) FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL) AS outbox_pending,
                          (SELECT count(*) FROM outbox WHERE set_aside_at IS NOT NULL) AS outbox_set_aside""");
                     ResultSet row = select.executeQuery()) {
                    row.next();
                    return new Reading(row.getDouble("queued"), row.getDouble("launching"), row.getDouble("running"),
                            row.getDouble("oldest_ready_age"), row.getDouble("oldest_active_age"),
                            row.getDouble("dead_letters"), row.getDouble("outbox_pending"),
                            row.getDouble("outbox_set_aside"));
                }
            });
        } catch (RuntimeException e) {
            last = Reading.UNKNOWN;
            LOG.warn("could not read the store's gauges; they show no value until the next read: {}", e.toString());
        }
    }
}
