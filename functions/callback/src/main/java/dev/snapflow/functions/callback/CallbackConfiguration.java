package dev.snapflow.functions.callback;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/**
 * @param retryBaseDelay        backoff before the 2nd attempt of a step; doubles per attempt (SNAPFLOW_RETRY_BASE_DELAY)
 * @param retryMaxDelay         cap of that backoff (SNAPFLOW_RETRY_MAX_DELAY)
 * @param webhookMaxAttempts    calls of a webhook before giving up (SNAPFLOW_WEBHOOK_MAX_ATTEMPTS)
 * @param webhookBaseDelay      backoff after the first failed call; doubles per call (SNAPFLOW_WEBHOOK_BASE_DELAY)
 * @param webhookMaxDelay       cap of that backoff (SNAPFLOW_WEBHOOK_MAX_DELAY)
 * @param webhookTimeout        timeout of one webhook call (SNAPFLOW_WEBHOOK_TIMEOUT)
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
        @Bindable(defaultValue = "10s") Duration webhookTimeout) {
}
