package dev.snapflow.functions.validate.accept;

import java.util.UUID;

/** @param created false when an earlier request with the same idempotency key already created it */
public record AcceptedProcess(UUID processId, boolean created) {
}
