package dev.snapflow.functions.shared.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Records a step's latencies ({@link Latencies}) from the timestamps the ledger keeps on processes, steps and
 * attempts. Read-only, one primary-key lookup, in the caller's transaction; called where the ledger changes the
 * attempt (enqueue's claim, callback's launch, first report and end), before the change moves the step on. The
 * {@code action} label is bounded by the action catalog.
 */
@Singleton
public class StepTimings {
    private final MeterRegistry meters;

    public StepTimings(MeterRegistry meters) {
        this.meters = meters;
    }

    /** What the ledger knows of one attempt's times; null where it has not happened (yet). */
    record Times(String action, int stepNo, int attempt, Instant processAcceptedAt, Instant stepReadyAt,
                 Instant requestedAt, Instant launchedAt) {
    }

    /** enqueue claimed a ready step at {@code claimedAt}: its queue wait. */
    public void claimed(Connection connection, UUID processId, int stepNo, String action, Instant claimedAt)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT GREATEST(queued_at, not_before) FROM steps WHERE process_id = ? AND step_no = ?")) {
            select.setObject(1, processId);
            select.setInt(2, stepNo);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    record(Latencies.QUEUE_WAIT, instant(row.getTimestamp(1)), claimedAt, "action", action);
                }
            }
        }
    }

    /**
     * callback recorded the job's launch (job.launched) of an attempt still launching: the step's launch latency
     * and, for the first attempt of the first step, the process's start latency.
     */
    public void launched(Connection connection, String jobId, Instant launchedAt) throws SQLException {
        Optional<Times> times = read(connection, jobId);
        if (times.isEmpty()) {
            return;
        }
        Times t = times.get();
        record(Latencies.LAUNCH_LATENCY, t.stepReadyAt(), launchedAt, "action", t.action());
        if (t.stepNo() == 1 && t.attempt() == 1) {
            record(Latencies.PROCESS_START, t.processAcceptedAt(), launchedAt);
        }
    }

    /** callback applies the attempt's first status report: the job's start-up since its launch. */
    public void firstReport(Connection connection, String jobId, Instant reportedAt) throws SQLException {
        Optional<Times> times = read(connection, jobId);
        if (times.isPresent()) {
            record(Latencies.FIRST_REPORT, times.get().launchedAt(), reportedAt, "action", times.get().action());
        }
    }

    /** callback ends the attempt: its duration since the job was launched (since it was requested if unknown). */
    public void ended(Connection connection, String jobId, Instant endedAt, Outcome outcome) throws SQLException {
        Optional<Times> times = read(connection, jobId);
        if (times.isPresent()) {
            Times t = times.get();
            record(Latencies.STEP_DURATION, t.launchedAt() != null ? t.launchedAt() : t.requestedAt(), endedAt,
                    "action", t.action(), "outcome", outcome.label());
        }
    }

    Optional<Times> read(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT s.action, a.step_no, a.attempt, p.created_at, GREATEST(s.queued_at, s.not_before) AS ready_at,
                       a.requested_at, a.launched_at
                FROM attempts a
                JOIN steps s ON s.process_id = a.process_id AND s.step_no = a.step_no
                JOIN processes p ON p.id = a.process_id
                WHERE a.job_id = ?""")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Times(row.getString("action"), row.getInt("step_no"), row.getInt("attempt"),
                        instant(row.getTimestamp("created_at")), instant(row.getTimestamp("ready_at")),
                        instant(row.getTimestamp("requested_at")), instant(row.getTimestamp("launched_at"))));
            }
        }
    }

    /** Records {@code to - from}; nothing when either is unknown, zero when clocks put them the wrong way round. */
    private void record(String timer, Instant from, Instant to, String... tags) {
        if (from == null || to == null) {
            return;
        }
        Duration elapsed = Duration.between(from, to);
        meters.timer(timer, tags).record(elapsed.isNegative() ? Duration.ZERO : elapsed);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
