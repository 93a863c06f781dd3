package dev.snapflow.functions.callback;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/**
 * @param retryBaseDelay           backoff before the 2nd attempt of a step; doubles per attempt (SNAPFLOW_RETRY_BASE_DELAY)
 * @param retryMaxDelay            cap of that backoff (SNAPFLOW_RETRY_MAX_DELAY)
 * @param webhookMaxAttempts       calls of a webhook before giving up (SNAPFLOW_WEBHOOK_MAX_ATTEMPTS)
 * @param webhookBaseDelay         backoff after the first failed call; doubles per call (SNAPFLOW_WEBHOOK_BASE_DELAY)
 * @param webhookMaxDelay          cap of that backoff (SNAPFLOW_WEBHOOK_MAX_DELAY)
 * @param webhookTimeout           total time of one webhook call, connect to last byte read (SNAPFLOW_WEBHOOK_TIMEOUT)
 * @param webhookConnectTimeout    time to open the connection of one call (SNAPFLOW_WEBHOOK_CONNECT_TIMEOUT)
 * @param webhookMaxResponseBytes  bytes of a receiver's response body read at most; the rest is cut off
 *                                 (SNAPFLOW_WEBHOOK_MAX_RESPONSE_BYTES)
 * @param webhookWorkers           webhook calls in flight at most, all tenants together (SNAPFLOW_WEBHOOK_WORKERS)
 * @param webhookInFlightPerTenant webhook calls of one tenant in flight at most (SNAPFLOW_WEBHOOK_IN_FLIGHT_PER_TENANT)
 * @param webhookGiveUpAfter       a delivery not done this long after its result is given up (SNAPFLOW_WEBHOOK_GIVE_UP_AFTER)
 * @param webhookPollInterval      how often the workers look for due deliveries besides being woken (SNAPFLOW_WEBHOOK_POLL_INTERVAL)
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.delivery")
public record CallbackConfiguration(
        @Bindable(defaultValue = "5s") Duration retryBaseDelay,
        @Bindable(defaultValue = "5m") Duration retryMaxDelay,
        @Bindable(defaultValue = "8") @Min(1) @Max(50) int webhookMaxAttempts,
        @Bindable(defaultValue = "2s") Duration webhookBaseDelay,
        @Bindable(defaultValue = "1h") Duration webhookMaxDelay,
        @Bindable(defaultValue = "10s") Duration webhookTimeout,
        @Bindable(defaultValue = "5s") Duration webhookConnectTimeout,
        @Bindable(defaultValue = "65536") @Min(0) @Max(16777216) int webhookMaxResponseBytes,
        @Bindable(defaultValue = "8") @Min(1) @Max(256) int webhookWorkers,
        @Bindable(defaultValue = "2") @Min(1) @Max(256) int webhookInFlightPerTenant,
        @Bindable(defaultValue = "24h") Duration webhookGiveUpAfter,
        @Bindable(defaultValue = "1s") Duration webhookPollInterval) {

    public CallbackConfiguration {
        requirePositive(webhookTimeout, "snapflow.delivery.webhook-timeout (env SNAPFLOW_WEBHOOK_TIMEOUT)");
        requirePositive(webhookConnectTimeout, "snapflow.delivery.webhook-connect-timeout (env SNAPFLOW_WEBHOOK_CONNECT_TIMEOUT)");
        requirePositive(webhookGiveUpAfter, "snapflow.delivery.webhook-give-up-after (env SNAPFLOW_WEBHOOK_GIVE_UP_AFTER)");
        requirePositive(webhookPollInterval, "snapflow.delivery.webhook-poll-interval (env SNAPFLOW_WEBHOOK_POLL_INTERVAL)");
        if (webhookConnectTimeout.compareTo(webhookTimeout) > 0) {
            throw new IllegalArgumentException("snapflow.delivery.webhook-connect-timeout (env SNAPFLOW_WEBHOOK_CONNECT_TIMEOUT) "
                    + "must not exceed snapflow.delivery.webhook-timeout (env SNAPFLOW_WEBHOOK_TIMEOUT)");
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration");
        }
    }
}
