package dev.snapflow.functions.validate.accept;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.functions.shared.domain.AttemptState;
import dev.snapflow.functions.shared.domain.ProcessState;
import dev.snapflow.functions.shared.domain.StateMachine;
import dev.snapflow.functions.shared.domain.StepState;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.Outbox;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Cancels a process: in one transaction the process, its unfinished steps and running attempts become
 * CANCELLED and process.cancelled (naming the running jobs, which launch stops) goes to the outbox. Reports
 * that the jobs send afterwards find a cancelled attempt and change nothing.
 */
@Singleton
public class ProcessCanceller {
    private final Database database;
    private final OutboxRelay relay;

    public ProcessCanceller(Database database, OutboxRelay relay) {
        this.database = database;
        this.relay = relay;
    }

    public enum Result { CANCELLED, ALREADY_CANCELLED, NOT_FOUND }

    /** @throws RequestRejected 409 when the process already finished otherwise */
    public Result cancel(String tenant, UUID processId, String reason) {
        Result result = database.inTransaction(connection -> {
            String entity;
            ProcessState state;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT entity, state FROM processes WHERE id = ? AND tenant_id = ? FOR UPDATE")) {
                select.setObject(1, processId);
                select.setString(2, tenant);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Result.NOT_FOUND;
                    }
                    entity = row.getString("entity");
                    state = ProcessState.valueOf(row.getString("state"));
                }
            }
            if (state == ProcessState.CANCELLED) {
                return Result.ALREADY_CANCELLED;
            }
            if (!StateMachine.allows(state, ProcessState.CANCELLED)) {
                throw new RequestRejected(409, "Process already finished", "already_finished", "state",
                        "the process is " + state + " and can no longer be cancelled");
            }
            // Wait for a dispatch of one of its steps that is committing right now, so its new attempt is seen
            // (and cancelled) below rather than left LAUNCHING.
            try (PreparedStatement lockSteps = connection.prepareStatement(
                    "SELECT step_no FROM steps WHERE process_id = ? ORDER BY step_no FOR UPDATE")) {
                lockSteps.setObject(1, processId);
                lockSteps.executeQuery().close();
            }
            Instant now = Instant.now();
            List<String> runningJobs = new ArrayList<>();
            try (PreparedStatement attempts = connection.prepareStatement("""
                    UPDATE attempts SET state = ?, finished_at = ? WHERE process_id = ? AND state IN (?, ?)
                    RETURNING job_id""")) {
                StateMachine.require(AttemptState.RUNNING, AttemptState.CANCELLED);
                StateMachine.require(AttemptState.LAUNCHING, AttemptState.CANCELLED);
                attempts.setString(1, AttemptState.CANCELLED.name());
                attempts.setTimestamp(2, Timestamp.from(now));
                attempts.setObject(3, processId);
                attempts.setString(4, AttemptState.LAUNCHING.name());
                attempts.setString(5, AttemptState.RUNNING.name());
                try (ResultSet rows = attempts.executeQuery()) {
                    while (rows.next()) {
                        runningJobs.add(rows.getString(1));
                    }
                }
            }
            try (PreparedStatement steps = connection.prepareStatement("""
                    UPDATE steps SET state = ?, finished_at = ? WHERE process_id = ?
                    AND state IN ('PENDING', 'QUEUED', 'LAUNCHING', 'RUNNING')""")) {
                for (StepState from : List.of(StepState.PENDING, StepState.QUEUED, StepState.LAUNCHING, StepState.RUNNING)) {
                    StateMachine.require(from, StepState.CANCELLED);
                }
                steps.setString(1, StepState.CANCELLED.name());
                steps.setTimestamp(2, Timestamp.from(now));
                steps.setObject(3, processId);
                steps.executeUpdate();
            }
            try (PreparedStatement process = connection.prepareStatement(
                    "UPDATE processes SET state = ?, updated_at = ?, finished_at = ?, error_message = ? WHERE id = ?")) {
                process.setString(1, StateMachine.require(state, ProcessState.CANCELLED).name());
                process.setTimestamp(2, Timestamp.from(now));
                process.setTimestamp(3, Timestamp.from(now));
                process.setString(4, reason == null ? "cancelled by the tenant" : "cancelled: " + reason);
                process.setObject(5, processId);
                process.executeUpdate();
            }
            Outbox.append(connection, Events.newEvent(new ProcessCancelled(processId.toString(), tenant, entity,
                    runningJobs, reason, now)).source(EventSources.VALIDATE).id("process-cancelled-" + processId)
                    .time(now).build());
            return Result.CANCELLED;
        });
        if (result == Result.CANCELLED) {
            relay.flushQuietly();
        }
        return result;
    }
}
