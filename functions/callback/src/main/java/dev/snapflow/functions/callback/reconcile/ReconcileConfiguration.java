package dev.snapflow.functions.callback.reconcile;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/**
 * The reconciler's settings (functions/callback/README.md, "Reconciler").
 *
 * @param interval         how often the sweep runs on its own, besides the PingSource tick (SNAPFLOW_RECONCILE_INTERVAL)
 * @param signOfLife       after job.launched or a RUNNING report, how long until the attempt must next be heard of; the
 *                         job sends a heartbeat every 5 s while it runs (SNAPFLOW_RECONCILE_SIGN_OF_LIFE)
 * @param redriveWait      after a re-sent job.requested, how long launch has to answer (SNAPFLOW_RECONCILE_REDRIVE_WAIT)
 * @param maxRedrives      re-sent job.requested events without an answer before the attempt counts as lost, and
 *                         re-sent process.accepted events before the process fails (SNAPFLOW_RECONCILE_MAX_REDRIVES)
 * @param acceptedTimeout  a process still ACCEPTED this long after it was accepted (or last re-sent) has its
 *                         process.accepted re-sent (SNAPFLOW_RECONCILE_ACCEPTED_TIMEOUT)
 * @param batchSize        attempts, and processes, looked at per sweep at most (SNAPFLOW_RECONCILE_BATCH_SIZE)
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.reconcile")
public record ReconcileConfiguration(
        @Bindable(defaultValue = "30s") Duration interval,
        @Bindable(defaultValue = "1m") Duration signOfLife,
        @Bindable(defaultValue = "1m") Duration redriveWait,
        @Bindable(defaultValue = "3") @Min(0) @Max(100) int maxRedrives,
        @Bindable(defaultValue = "2m") Duration acceptedTimeout,
        @Bindable(defaultValue = "200") @Min(1) @Max(10000) int batchSize) {

    public ReconcileConfiguration {
        requirePositive(interval, "interval", "SNAPFLOW_RECONCILE_INTERVAL");
        requirePositive(signOfLife, "sign-of-life", "SNAPFLOW_RECONCILE_SIGN_OF_LIFE");
        requirePositive(redriveWait, "redrive-wait", "SNAPFLOW_RECONCILE_REDRIVE_WAIT");
        requirePositive(acceptedTimeout, "accepted-timeout", "SNAPFLOW_RECONCILE_ACCEPTED_TIMEOUT");
    }

    private static void requirePositive(Duration value, String name, String env) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("snapflow.reconcile." + name + " (env " + env + ") must be a positive duration");
        }
    }
}
