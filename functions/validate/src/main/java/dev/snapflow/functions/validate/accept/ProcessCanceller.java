package dev.snapflow.functions.validate.accept;

import dev.snapflow.functions.shared.lifecycle.Ledger;
import dev.snapflow.functions.shared.persistence.Database;
import dev.snapflow.functions.shared.persistence.OutboxRelay;
import jakarta.inject.Singleton;

import java.util.UUID;

/**
 * Cancels a process: in one transaction the ledger makes the process, its unfinished steps and running attempts
 * CANCELLED and writes process.cancelled (naming the running jobs, which launch stops). Reports that the jobs send
 * afterwards find a cancelled attempt and change nothing.
 */
@Singleton
public class ProcessCanceller {
    private final Database database;
    private final Ledger ledger;
    private final OutboxRelay relay;

    public ProcessCanceller(Database database, Ledger ledger, OutboxRelay relay) {
        this.database = database;
        this.ledger = ledger;
        this.relay = relay;
    }

    public enum Result { CANCELLED, ALREADY_CANCELLED, NOT_FOUND }

    /** @throws RequestRejected 409 when the process already finished otherwise */
    public Result cancel(String tenant, UUID processId, String reason) {
        Ledger.Cancellation cancellation = database.inTransaction(connection ->
                ledger.cancelProcess(connection, tenant, processId, reason));
        return switch (cancellation.result()) {
            case CANCELLED -> {
                relay.flushQuietly();
                yield Result.CANCELLED;
            }
            case ALREADY_CANCELLED -> Result.ALREADY_CANCELLED;
            case NOT_FOUND -> Result.NOT_FOUND;
            case ALREADY_ENDED -> throw new RequestRejected(409, "Process already finished", "already_finished", "state",
                    "the process is " + cancellation.state() + " and can no longer be cancelled");
        };
    }
}
