package dev.snapflow.functions.shared.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.functions.shared.domain.AttemptOutcome;
import dev.snapflow.functions.shared.domain.LifecycleDecider;
import dev.snapflow.functions.shared.domain.RetryPolicy;
import dev.snapflow.functions.shared.lifecycle.Ledger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cloudevents.CloudEvent;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The one owner of {@code dead_letters}, and the operators' view of what did not go through: dead letters
 * (events a function gave up on, id {@code dl-<n>}) and outbox rows the broker refused for good (id
 * {@code outbox-<n>}). Replay puts the original event, unchanged, back through the outbox.
 */
@Singleton
@Requires(beans = DataSource.class)
public class DeadLetterStore {
    public static final String DEAD_LETTER_PREFIX = "dl-";
    public static final String SET_ASIDE_PREFIX = "outbox-";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Only {@link AttemptOutcome.Undeliverable} is decided here, which is never retried: the policy is unused. */
    private static final LifecycleDecider DECIDER = new LifecycleDecider(new RetryPolicy(Duration.ZERO, Duration.ZERO));

    private final Database database;
    private final Ledger ledger;

    public DeadLetterStore(Database database, Ledger ledger) {
        this.database = database;
        this.ledger = ledger;
    }

    /**
     * One dead letter as read from the dead-letter topic.
     *
     * @param origin    where it was read ({@code topic/partition@offset}); recording the same origin twice is a no-op
     * @param event     the structured-JSON CloudEvent when replayable, otherwise the raw value (truncated or malformed)
     * @param replayable true when {@code event} is the whole CloudEvent
     */
    public record Incoming(String origin, String eventId, String eventType, String partitionKey, String sourceTopic,
                           String consumerGroup, String reason, byte[] event, boolean replayable, int originalSize,
                           String sha256) {
    }

    /** A line of the operators' list. {@code kind} is {@code dead-letter} or {@code set-aside}. */
    public record Entry(String id, String kind, String eventId, String eventType, String partitionKey, String source,
                        String reason, int originalSize, boolean truncated, Instant at, Instant replayedAt) {
    }

    /** An entry with its event (JSON text of the CloudEvent, or of the truncated value as far as it goes). */
    public record Shown(Entry entry, String event) {
    }

    public sealed interface Replay permits Replayed, NotFound, NotReplayable {
    }

    public record Replayed(String eventId, String eventType) implements Replay {
    }

    public record NotFound() implements Replay {
    }

    public record NotReplayable(String reason) implements Replay {
    }

    /**
     * Records a dead letter and, in the same transaction, ends the process it concerns (if any, and not ended):
     * FAILED with {@code EVENT_UNDELIVERABLE}, through the {@link Ledger}, so it holds no tenant slot and waits for
     * nothing. A replay after a fix finds the process FAILED and changes nothing; the operator submits it again.
     *
     * @return true when recorded now, false when this origin was recorded before
     */
    public boolean record(Incoming dead) {
        return database.inTransaction(connection -> {
            boolean recorded = insert(connection, dead);
            if (recorded) {
                Optional<UUID> process = concernedProcess(dead);
                if (process.isPresent()) {
                    failConcernedProcess(connection, dead, process.get());
                }
            }
            return recorded;
        });
    }

    /**
     * Within a savepoint: whatever goes wrong failing the process, the dead letter itself is recorded (a dead letter
     * that could never be recorded would hold up the dead-letter topic for good).
     */
    private void failConcernedProcess(Connection connection, Incoming dead, UUID processId) throws SQLException {
        Instant now = Instant.now();
        String why = "dead-lettered" + (dead.consumerGroup() == null ? "" : " by " + dead.consumerGroup()) + ": "
                + dead.reason();
        Savepoint before = connection.setSavepoint();
        try {
            ledger.failProcess(connection, processId, false, facts -> DECIDER.decide(
                            new AttemptOutcome.Undeliverable(shortType(dead.eventType()), why), facts, now),
                    EventSources.VALIDATE, now).ifPresent(failed -> LOG.warn("process {} of tenant {} FAILED ({}): its {} {}",
                    processId, failed.tenant(), ErrorClass.EVENT_UNDELIVERABLE, dead.eventType(), why));
            connection.releaseSavepoint(before);
        } catch (SQLException | RuntimeException e) {
            connection.rollback(before);
            LOG.error("dead letter {} recorded, but its process {} could not be failed; it is left to the reconciler",
                    dead.origin(), processId, e);
        }
    }

    /**
     * The process a dead-lettered event is about: its {@code subject} (the process id, on every event that has
     * one), else its data's {@code processId} or {@code jobId}. None for a truncated or malformed one.
     */
    static Optional<UUID> concernedProcess(Incoming dead) {
        if (!dead.replayable()) {
            return Optional.empty();
        }
        try {
            CloudEvent event = Events.fromJson(dead.event());
            if (event.getSubject() != null) {
                return Optional.of(UUID.fromString(event.getSubject()));
            }
            if (event.getData() == null) {
                return Optional.empty();
            }
            JsonNode data = JSON.readTree(event.getData().toBytes());
            if (data.path("processId").isTextual()) {
                return Optional.of(UUID.fromString(data.path("processId").asText()));
            }
            if (data.path("jobId").isTextual()) {
                return Optional.of(UUID.fromString(new JobId(data.path("jobId").asText()).processId()));
            }
        } catch (RuntimeException | IOException notAboutAProcess) {
            // no process named, or not in a form we know: the dead letter is recorded all the same
        }
        return Optional.empty();
    }

    /** {@code dev.snapflow.job.requested.v1} as people say it: {@code job.requested}. */
    private static String shortType(String type) {
        if (type == null) {
            return "an event";
        }
        return type.startsWith("dev.snapflow.") ? type.substring("dev.snapflow.".length()).replaceFirst("\\.v[0-9]+$", "") : type;
    }

    private static boolean insert(Connection connection, Incoming dead) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO dead_letters (origin, event_id, event_type, partition_key, source_topic, consumer_group,"
                        + " reason, event, original_size, sha256, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (origin) DO NOTHING")) {
            insert.setString(1, text(dead.origin()));
            insert.setString(2, text(dead.eventId()));
            insert.setString(3, text(dead.eventType()));
            insert.setString(4, text(dead.partitionKey()));
            insert.setString(5, text(dead.sourceTopic()));
            insert.setString(6, text(dead.consumerGroup()));
            insert.setString(7, text(dead.reason()));
            insert.setBytes(8, dead.event());
            insert.setInt(9, dead.originalSize());
            insert.setString(10, text(dead.sha256()));
            insert.setBoolean(11, !dead.replayable());
            return insert.executeUpdate() == 1;
        }
    }

    /** Newest first, dead letters and set-aside outbox rows together; replayed dead letters only when asked. */
    public List<Entry> list(int limit, boolean includeReplayed) {
        return database.inTransaction(connection -> {
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT * FROM (" + DEAD_LETTER_COLUMNS + " FROM dead_letters"
                            + (includeReplayed ? "" : " WHERE replayed_at IS NULL")
                            + " UNION ALL " + SET_ASIDE_COLUMNS + " FROM outbox WHERE set_aside_at IS NOT NULL"
                            + ") entries ORDER BY at DESC, id DESC LIMIT ?")) {
                select.setInt(1, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        entries.add(entry(rows));
                    }
                }
            }
            return entries;
        });
    }

    public Optional<Shown> show(String id) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = selectOne(connection, id, false);
                 ResultSet rows = select == null ? null : select.executeQuery()) {
                if (rows == null || !rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Shown(entry(rows), new String(rows.getBytes("event"), StandardCharsets.UTF_8)));
            }
        });
    }

    /**
     * Puts the original event back in the outbox (same id) and marks the entry replayed; the caller then asks
     * the relay to publish. A truncated or malformed dead letter cannot be replayed.
     */
    public Replay replay(String id) {
        return database.inTransaction(connection -> {
            Entry entry;
            byte[] json;
            try (PreparedStatement select = selectOne(connection, id, true);
                 ResultSet rows = select == null ? null : select.executeQuery()) {
                if (rows == null || !rows.next()) {
                    return new NotFound();
                }
                entry = entry(rows);
                json = rows.getBytes("event");
            }
            if (entry.truncated()) {
                return new NotReplayable(json.length < entry.originalSize()
                        ? "the dead letter kept only the first " + json.length + " bytes of a " + entry.originalSize()
                        + "-byte event (sha256 in the entry)"
                        : "the dead-lettered record is not a valid CloudEvent");
            }
            CloudEvent event = Events.fromJson(json);
            Outbox.requeue(connection, event);
            if (entry.kind().equals("dead-letter")) {
                try (PreparedStatement mark = connection.prepareStatement(
                        "UPDATE dead_letters SET replayed_at = now() WHERE id = ?")) {
                    mark.setLong(1, number(id));
                    mark.executeUpdate();
                }
            }
            return new Replayed(event.getId(), event.getType());
        });
    }

    private static final String DEAD_LETTER_COLUMNS = "SELECT 'dl-' || id AS id, 'dead-letter' AS kind, event_id, event_type,"
            + " partition_key, consumer_group || ' on ' || source_topic AS source, reason, original_size, truncated,"
            + " dead_lettered_at AS at, replayed_at";
    private static final String SET_ASIDE_COLUMNS = "SELECT 'outbox-' || id, 'set-aside', event_id, event_type,"
            + " substring(convert_from(event, 'UTF8') from '\"partitionkey\":\\s*\"([^\"]*)\"'), 'outbox', set_aside_reason, length(event), false,"
            + " set_aside_at, NULL::timestamptz";

    private static PreparedStatement selectOne(Connection connection, String id, boolean forUpdate) throws SQLException {
        long number = number(id);
        if (number < 0) {
            return null;
        }
        PreparedStatement select;
        if (id.startsWith(DEAD_LETTER_PREFIX)) {
            select = connection.prepareStatement(DEAD_LETTER_COLUMNS + ", event FROM dead_letters WHERE id = ?"
                    + (forUpdate ? " FOR UPDATE" : ""));
        } else {
            select = connection.prepareStatement(SET_ASIDE_COLUMNS + ", event FROM outbox WHERE id = ? AND set_aside_at IS NOT NULL"
                    + (forUpdate ? " FOR UPDATE" : ""));
        }
        select.setLong(1, number);
        return select;
    }

    /** The row number of {@code dl-<n>} or {@code outbox-<n>}, or -1 when the id is neither. */
    private static long number(String id) {
        String digits = id.startsWith(DEAD_LETTER_PREFIX) ? id.substring(DEAD_LETTER_PREFIX.length())
                : id.startsWith(SET_ASIDE_PREFIX) ? id.substring(SET_ASIDE_PREFIX.length()) : "";
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    private static Entry entry(ResultSet rows) throws SQLException {
        return new Entry(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5),
                rows.getString(6), rows.getString(7), rows.getInt(8), rows.getBoolean(9), instant(rows.getTimestamp(10)),
                instant(rows.getTimestamp(11)));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** PostgreSQL text cannot hold NUL: a dead letter must be storable whatever bytes its headers carried. */
    private static String text(String value) {
        return value == null ? null : value.replace('\u0000', '\uFFFD');
    }
}
