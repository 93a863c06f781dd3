package dev.snapflow.functions.validate.accept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.snapflow.contracts.events.ProcessRequested;
import dev.snapflow.contracts.storage.CanonicalJson;
import dev.snapflow.contracts.storage.InvalidPathSegmentException;
import dev.snapflow.contracts.storage.PathSegment;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.UnsafeManifestException;
import dev.snapflow.functions.shared.catalog.ActionCatalog;
import dev.snapflow.functions.shared.catalog.ActionDefinition;
import dev.snapflow.functions.shared.catalog.ParamsViolation;
import dev.snapflow.functions.shared.lifecycle.Ledger;
import dev.snapflow.functions.shared.logging.LogContext;
import dev.snapflow.functions.shared.metrics.Latencies;
import dev.snapflow.functions.shared.metrics.Outcome;
import dev.snapflow.functions.shared.metrics.TenantLabels;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import dev.snapflow.functions.validate.storage.SnapshotStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Accepts a request for a calculation, whatever entry point it came through: validates it completely before
 * writing anything, resolves {@code latest}, checks the input snapshot is committed (one HEAD), then writes
 * the process, its steps and the process.accepted event in ONE transaction. A rejected request leaves no row.
 */
@Singleton
public class ProcessAcceptor {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessAcceptor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActionCatalog catalog;
    private final SnapshotStore snapshots;
    private final Database database;
    private final Ledger ledger;
    private final OutboxRelay relay;
    private final MeterRegistry meters;
    private final TenantLabels tenantLabels;
    private final WebhookUrlValidator webhookUrls;

    public ProcessAcceptor(ActionCatalog catalog, SnapshotStore snapshots, Database database, Ledger ledger,
                           OutboxRelay relay, MeterRegistry meters, WebhookUrlValidator webhookUrls,
                           TenantLabels tenantLabels) {
        this.catalog = catalog;
        this.snapshots = snapshots;
        this.database = database;
        this.ledger = ledger;
        this.relay = relay;
        this.meters = meters;
        this.tenantLabels = tenantLabels;
        this.webhookUrls = webhookUrls;
    }

    /**
     * @param idempotencyKey null when the caller gave none
     * @throws RequestRejected with status 400, 409 or 422 and the field at fault
     */
    public AcceptedProcess accept(String tenant, ProcessRequest request, String idempotencyKey, Origin origin) {
        return accept(tenant, request, idempotencyKey, origin, (connection, processId) -> {
        });
    }

    /** Work done in the transaction that inserts a new process, after the insert. */
    @FunctionalInterface
    public interface AfterInsert {
        void run(Connection connection, UUID processId) throws SQLException;
    }

    /**
     * As {@link #accept(String, ProcessRequest, String, Origin)}; {@code afterInsert} runs in the inserting
     * transaction when a new process is created (e.g. reading it back for the response costs no second
     * transaction), not for a repeat of an idempotency key.
     */
    public AcceptedProcess accept(String tenant, ProcessRequest request, String idempotencyKey, Origin origin,
                                  AfterInsert afterInsert) {
        long started = System.nanoTime();
        Outcome outcome = Outcome.ERROR;
        // the tenant (and, once known, the process) on every line logged for this submission
        try (LogContext ids = LogContext.open().tenant(tenant)) {
            AcceptedProcess accepted = acceptValidated(tenant, request, idempotencyKey, origin,
                    (connection, processId) -> {
                        ids.processId(processId);
                        afterInsert.run(connection, processId);
                    });
            ids.processId(accepted.processId());
            outcome = accepted.created() ? Outcome.ACCEPTED : Outcome.REPEATED;
            if (accepted.created()) {
                LOG.info("accepted process {} ({}, from {})", accepted.processId(),
                        request.pipeline() != null ? "pipeline " + request.pipeline() : "action " + request.action(),
                        origin.dbValue());
            }
            meters.counter("snapflow.processes.accepted", "origin", origin.dbValue(),
                    "repeat", Boolean.toString(!accepted.created()), "tenant", tenantLabels.label(tenant)).increment();
            return accepted;
        } catch (RequestRejected e) {
            outcome = Outcome.REJECTED;
            meters.counter("snapflow.processes.rejected", "reason", e.reason(), "origin", origin.dbValue()).increment();
            throw e;
        } finally {
            // route: how the submission came (api, event, subscription); every outcome, errors included
            meters.timer(Latencies.SUBMISSION, "route", origin.dbValue(), "outcome", outcome.label())
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /** The twin of an HTTP request, from a process.requested event. */
    public static ProcessRequest fromEvent(ProcessRequested requested) {
        return new ProcessRequest(requested.entity(), requested.dataVersion(), requested.action(), requested.pipeline(),
                JSON.valueToTree(requested.params()), requested.webhookUrl());
    }

    private AcceptedProcess acceptValidated(String tenant, ProcessRequest request, String idempotencyKey, Origin origin,
                                            AfterInsert afterInsert) {
        IntakeLimits.check(request, idempotencyKey);
        Validated valid = validate(request);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > ProcessRequested.MAX_IDEMPOTENCY_KEY_LENGTH)) {
            throw RequestRejected.badRequest("Idempotency-Key", "must be 1 to "
                    + ProcessRequested.MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
        }
        String requestHash = requestHash(valid);
        if (idempotencyKey != null) {
            Optional<AcceptedProcess> earlier = findByIdempotencyKey(tenant, idempotencyKey, requestHash);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        String dataVersion = valid.dataVersion;
        if (SnapshotRef.LATEST.equals(dataVersion)) {
            dataVersion = snapshots.latestVersion(tenant, valid.entity).orElseThrow(() -> RequestRejected.unprocessable(
                    "no_snapshot", "dataVersion", "'latest' names no version: " + tenant + "/" + valid.entity
                            + " has no committed snapshot (" + StorageLayout.latestPointerKey(tenant, valid.entity)
                            + " is missing)"));
        }
        SnapshotRef ref = new SnapshotRef(tenant, valid.entity, dataVersion);
        boolean committed;
        try {
            committed = snapshots.rawSnapshotCommitted(ref);
        } catch (UnsafeManifestException e) {
            throw RequestRejected.unprocessable("unsafe_manifest", "dataVersion", "the raw snapshot's manifest is refused: "
                    + e.getMessage());
        }
        if (!committed) {
            throw RequestRejected.unprocessable("no_snapshot", "dataVersion", "no committed raw snapshot "
                    + StorageLayout.rawSnapshotManifestKey(ref) + " (its manifest is missing)");
        }
        String inputManifest = snapshots.uri(StorageLayout.rawSnapshotManifestKey(ref));
        UUID processId = UUID.randomUUID();
        Instant now = Instant.now();
        try {
            database.inTransaction(connection -> {
                insert(connection, processId, tenant, ref, valid, inputManifest, idempotencyKey, requestHash, origin, now);
                afterInsert.run(connection, processId);
                return null;
            });
        } catch (Database.DatabaseException e) {
            if (e.uniqueViolation() && idempotencyKey != null) {
                // Another request with the same key won the race; answer as for a repeat.
                return findByIdempotencyKey(tenant, idempotencyKey, requestHash).orElseThrow(() -> e);
            }
            throw e;
        }
        relay.flushQuietly();
        return new AcceptedProcess(processId, true);
    }

    private void insert(Connection connection, UUID processId, String tenant, SnapshotRef ref, Validated valid,
                        String inputManifest, String idempotencyKey, String requestHash, Origin origin, Instant now)
            throws SQLException {
        List<Ledger.NewStep> steps = new ArrayList<>();
        for (int i = 0; i < valid.steps.size(); i++) {
            ActionDefinition action = valid.steps.get(i);
            steps.add(new Ledger.NewStep(action.name(), valid.stepParams.get(i), action.maxAttempts()));
        }
        ledger.acceptProcess(connection, new Ledger.NewProcess(processId, tenant, ref.entity(), ref.dataVersion(),
                valid.dataVersion, valid.target, valid.pipeline, valid.params, inputManifest, valid.webhookUrl,
                idempotencyKey, requestHash, origin.dbValue(), steps, now));
    }

    private Optional<AcceptedProcess> findByIdempotencyKey(String tenant, String key, String requestHash) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, request_hash FROM processes WHERE tenant_id = ? AND idempotency_key = ?")) {
                select.setString(1, tenant);
                select.setString(2, key);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    if (!row.getString("request_hash").equals(requestHash)) {
                        throw new RequestRejected(409, "Idempotency key reused", "idempotency_conflict",
                                "Idempotency-Key", "this key was used for a different request (process "
                                + row.getObject("id") + "); use a new key for a new request");
                    }
                    return Optional.of(new AcceptedProcess((UUID) row.getObject("id"), false));
                }
            }
        });
    }

    /** The checks of {@link #accept} that need no I/O (for subscriptions, which name no data version yet). */
    public Validated validateOnly(ProcessRequest request) {
        try {
            return validate(request);
        } catch (RequestRejected e) {
            meters.counter("snapflow.processes.rejected", "reason", e.reason(), "origin", "subscription").increment();
            throw e;
        }
    }

    public boolean isPipeline(String target) {
        return catalog.pipeline(target).isPresent();
    }

    /** All checks that need no I/O, every problem at once where they are independent. */
    Validated validate(ProcessRequest request) {
        List<RequestRejected.FieldProblem> missing = new ArrayList<>();
        if (request.entity() == null) {
            missing.add(new RequestRejected.FieldProblem("entity", "is required"));
        }
        if (request.dataVersion() == null) {
            missing.add(new RequestRejected.FieldProblem("dataVersion", "is required (a data version, or 'latest')"));
        }
        if (request.action() == null && request.pipeline() == null) {
            missing.add(new RequestRejected.FieldProblem("action", "one of action and pipeline is required"));
        }
        if (!missing.isEmpty()) {
            throw new RequestRejected(400, "Bad request", "missing_field", missing);
        }
        if (request.action() != null && request.pipeline() != null) {
            throw RequestRejected.badRequest("pipeline", "give either action or pipeline, not both");
        }
        List<RequestRejected.FieldProblem> unsafe = new ArrayList<>();
        for (Map.Entry<String, String> segment : Map.of("entity", request.entity(), "dataVersion", request.dataVersion()).entrySet()) {
            try {
                PathSegment.requireSafe(segment.getKey(), segment.getValue());
            } catch (InvalidPathSegmentException e) {
                unsafe.add(new RequestRejected.FieldProblem(e.field(), e.getMessage().substring(e.field().length()).trim()));
            }
        }
        if (!unsafe.isEmpty()) {
            unsafe.sort(java.util.Comparator.comparing(RequestRejected.FieldProblem::field));
            throw new RequestRejected(422, "Request cannot be processed", "unsafe_path_segment", unsafe);
        }
        boolean pipeline = request.pipeline() != null;
        String target = pipeline ? request.pipeline() : request.action();
        String field = pipeline ? "pipeline" : "action";
        if (pipeline ? catalog.pipeline(target).isEmpty() : catalog.action(target).isEmpty()) {
            throw RequestRejected.unprocessable("unknown_" + field, field, "unknown " + field + " '" + target + "'; known "
                    + field + "s: " + String.join(", ", pipeline ? catalog.pipelineNames() : catalog.actionNames()));
        }
        JsonNode params = request.params() == null || request.params().isNull()
                ? JsonNodeFactory.instance.objectNode() : request.params();
        if (!params.isObject()) {
            throw RequestRejected.unprocessable("invalid_params", "params", "must be a JSON object");
        }
        List<ActionDefinition> steps = catalog.stepsOf(target);
        List<JsonNode> stepParams = new ArrayList<>();
        List<RequestRejected.FieldProblem> problems = new ArrayList<>();
        if (pipeline) {
            for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (steps.stream().noneMatch(step -> step.name().equals(key))) {
                    problems.add(new RequestRejected.FieldProblem("params." + key, "pipeline " + target
                            + " has no step '" + key + "'; params of a pipeline are keyed by its actions: "
                            + String.join(", ", steps.stream().map(ActionDefinition::name).toList())));
                }
            }
        }
        for (ActionDefinition step : steps) {
            JsonNode own = pipeline ? params.path(step.name()) : params;
            if (own.isMissingNode() || own.isNull()) {
                own = JsonNodeFactory.instance.objectNode();
            }
            if (!own.isObject()) {
                problems.add(new RequestRejected.FieldProblem("params." + step.name(), "must be a JSON object"));
                stepParams.add(own);
                continue;
            }
            for (ParamsViolation violation : catalog.validateParams(step.name(), own)) {
                String at = pipeline ? violation.field().replaceFirst("^params", "params." + step.name()) : violation.field();
                problems.add(new RequestRejected.FieldProblem(at, violation.message()));
            }
            stepParams.add(own);
        }
        if (!problems.isEmpty()) {
            throw new RequestRejected(422, "Invalid params", "invalid_params", problems);
        }
        if (request.webhookUrl() != null) {
            webhookUrls.check(request.webhookUrl());
        }
        return new Validated(request.entity(), request.dataVersion(), target, pipeline, (ObjectNode) params, steps,
                stepParams, request.webhookUrl());
    }

    private static String requestHash(Validated valid) {
        String material = String.join("\n", valid.entity, valid.dataVersion, valid.pipeline ? "pipeline" : "action",
                valid.target, CanonicalJson.canonicalize(valid.params), valid.webhookUrl == null ? "" : valid.webhookUrl);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public record Validated(String entity, String dataVersion, String target, boolean pipeline, ObjectNode params,
                     List<ActionDefinition> steps, List<JsonNode> stepParams, String webhookUrl) {
    }
}
