package dev.snapflow.functions.validate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.validate.api.ProcessViews.AttemptView;
import dev.snapflow.functions.validate.api.ProcessViews.ErrorView;
import dev.snapflow.functions.validate.api.ProcessViews.ProcessPage;
import dev.snapflow.functions.validate.api.ProcessViews.ProcessView;
import dev.snapflow.functions.validate.api.ProcessViews.StepView;
import dev.snapflow.functions.validate.accept.RequestRejected;
import dev.snapflow.functions.validate.storage.SnapshotStore;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads processes for the API; a tenant only ever sees its own. */
@Singleton
public class ProcessQueries {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Database database;
    private final SnapshotStore storage;

    public ProcessQueries(Database database, SnapshotStore storage) {
        this.database = database;
        this.storage = storage;
    }

    /** Whether the tenant has this process (without reading its steps). */
    public boolean exists(String tenant, UUID id) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT 1 FROM processes WHERE id = ? AND tenant_id = ?")) {
                select.setObject(1, id);
                select.setString(2, tenant);
                try (ResultSet row = select.executeQuery()) {
                    return row.next();
                }
            }
        });
    }

    /** The API path of an attempt's driver log (ProcessesController#log). */
    public static String logPath(UUID processId, int step, int attempt) {
        return "/v1/processes/" + processId + "/steps/" + step + "/attempts/" + attempt + "/log";
    }

    public Optional<ProcessView> find(String tenant, UUID id) {
        return database.inTransaction(connection -> find(connection, tenant, id));
    }

    /** {@link #find(String, UUID)} inside the caller's transaction (e.g. the one that just inserted the process). */
    public Optional<ProcessView> find(Connection connection, String tenant, UUID id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT * FROM processes WHERE id = ? AND tenant_id = ?")) {
            select.setObject(1, id);
            select.setString(2, tenant);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(process(connection, row, true)) : Optional.empty();
            }
        }
    }

    /** Newest first, keyset-paginated on (created_at, id): stable under concurrent inserts. */
    public ProcessPage list(String tenant, String entity, String state, int limit, String cursor) {
        Instant afterCreated = null;
        UUID afterId = null;
        if (cursor != null) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
                afterCreated = Instant.parse(parts[0]);
                afterId = UUID.fromString(parts[1]);
            } catch (RuntimeException e) {
                throw RequestRejected.badRequest("cursor", "not a cursor returned by this API");
            }
        }
        Instant created = afterCreated;
        UUID lastId = afterId;
        return database.inTransaction(connection -> {
            StringBuilder sql = new StringBuilder("SELECT * FROM processes WHERE tenant_id = ?");
            List<Object> args = new ArrayList<>(List.of(tenant));
            if (entity != null) {
                sql.append(" AND entity = ?");
                args.add(entity);
            }
            if (state != null) {
                sql.append(" AND state = ?");
                args.add(state);
            }
            if (created != null) {
                sql.append(" AND (created_at, id) < (?, ?)");
                args.add(Timestamp.from(created));
                args.add(lastId);
            }
            sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
            args.add(limit + 1);
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    select.setObject(i + 1, args.get(i));
                }
                List<ProcessView> items = new ArrayList<>();
                String next = null;
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        if (items.size() == limit) {
                            ProcessView last = items.get(items.size() - 1);
                            next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                                    (last.createdAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
                            break;
                        }
                        items.add(process(connection, row, false));
                    }
                }
                return new ProcessPage(items, next);
            }
        });
    }

    private ProcessView process(Connection connection, ResultSet row, boolean withSteps) throws SQLException {
        UUID id = (UUID) row.getObject("id");
        boolean pipeline = "pipeline".equals(row.getString("target_kind"));
        List<StepView> steps = withSteps ? steps(connection, id) : null;
        String result = null;
        if ("SUCCEEDED".equals(row.getString("state"))) {
            result = lastOutput(connection, id);
        }
        return new ProcessView(id.toString(), row.getString("tenant_id"), row.getString("entity"),
                row.getString("data_version"), row.getString("requested_version"),
                pipeline ? null : row.getString("target"), pipeline ? row.getString("target") : null,
                json(row.getString("params")), row.getString("state"), row.getString("webhook_url"),
                row.getString("idempotency_key"), row.getString("origin"), row.getString("input_manifest"), result,
                instant(row, "created_at"), instant(row, "updated_at"), instant(row, "finished_at"),
                error(row), steps);
    }

    private String lastOutput(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT output_manifest FROM steps WHERE process_id = ? ORDER BY step_no DESC LIMIT 1")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private List<StepView> steps(Connection connection, UUID processId) throws SQLException {
        List<AttemptRow> attempts = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT a.*, p.tenant_id FROM attempts a JOIN processes p ON p.id = a.process_id"
                        + " WHERE a.process_id = ? ORDER BY a.step_no, a.attempt")) {
            select.setObject(1, processId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    int stepNo = row.getInt("step_no");
                    int attempt = row.getInt("attempt");
                    boolean launched = row.getTimestamp("launched_at") != null;
                    attempts.add(new AttemptRow(stepNo, new AttemptView(row.getString("job_id"),
                            attempt, row.getString("state"), instant(row, "requested_at"),
                            instant(row, "launched_at"), instant(row, "started_at"), instant(row, "finished_at"),
                            json(row.getString("progress")), json(row.getString("metrics")),
                            row.getString("output_manifest"), (Boolean) row.getObject("cached"), error(row),
                            launched ? logPath(processId, stepNo, attempt) : null,
                            launched ? storage.uri(StorageLayout.sparkEventLogPrefix(row.getString("tenant_id"),
                                    processId.toString(), stepNo, attempt)) : null)));
                }
            }
        }
        List<StepView> steps = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT * FROM steps WHERE process_id = ? ORDER BY step_no")) {
            select.setObject(1, processId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    int stepNo = row.getInt("step_no");
                    steps.add(new StepView(stepNo, row.getString("action"), json(row.getString("params")),
                            row.getString("state"), row.getInt("current_attempt"), row.getInt("max_attempts"),
                            row.getString("input_manifest"), row.getString("output_manifest"),
                            instant(row, "queued_at"), instant(row, "started_at"), instant(row, "finished_at"),
                            error(row), attempts.stream().filter(a -> a.step == stepNo).map(AttemptRow::view).toList(),
                            null, null, null));
                }
            }
        }
        return steps;
    }

    private record AttemptRow(int step, AttemptView view) {
    }

    private static ErrorView error(ResultSet row) throws SQLException {
        String errorClass = row.getString("error_class");
        String message = row.getString("error_message");
        return errorClass == null && message == null ? null : new ErrorView(errorClass, message);
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp ts = row.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    private static JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
