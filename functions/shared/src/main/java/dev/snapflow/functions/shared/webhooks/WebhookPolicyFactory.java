package dev.snapflow.functions.shared.webhooks;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/** Makes the {@link WebhookAddressPolicy} validate and callback both apply, from {@code snapflow.webhooks.*}. */
@Factory
public class WebhookPolicyFactory {

    /**
     * @param httpsOnly      production mode: only https webhook URLs (SNAPFLOW_WEBHOOK_HTTPS_ONLY)
     * @param allowedTargets internal receivers exempt from the address rules: host, host:port, [ipv6]:port or
     *                       CIDR, comma-separated (SNAPFLOW_WEBHOOK_ALLOWED_TARGETS)
     * @param maxUrlLength   longest webhook URL (SNAPFLOW_WEBHOOK_MAX_URL_LENGTH)
     * @param dnsTimeout     longest wait for one DNS lookup of a webhook host (SNAPFLOW_WEBHOOK_DNS_TIMEOUT)
     */
    // Eager, so an invalid setting stops the function at startup with its message.
    @Context
    @ConfigurationProperties("snapflow.webhooks")
    public record WebhookPolicyConfiguration(
            @Bindable(defaultValue = "false") boolean httpsOnly,
            @Bindable(defaultValue = "") String allowedTargets,
            @Bindable(defaultValue = "2048") @Min(value = 16, message = "snapflow.webhooks.max-url-length (env SNAPFLOW_WEBHOOK_MAX_URL_LENGTH) must be at least 16")
            @Max(value = 65536, message = "snapflow.webhooks.max-url-length (env SNAPFLOW_WEBHOOK_MAX_URL_LENGTH) must be at most 65536")
            int maxUrlLength,
            @Bindable(defaultValue = "2s") Duration dnsTimeout) {

        public WebhookPolicyConfiguration {
            try {
                WebhookPolicySettings.parseAllowList(allowedTargets);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("snapflow.webhooks.allowed-targets (env SNAPFLOW_WEBHOOK_ALLOWED_TARGETS): "
                        + e.getMessage(), e);
            }
            if (dnsTimeout.isNegative() || dnsTimeout.isZero()) {
                throw new IllegalArgumentException("snapflow.webhooks.dns-timeout (env SNAPFLOW_WEBHOOK_DNS_TIMEOUT) must be positive");
            }
        }

        public WebhookPolicySettings settings() {
            return new WebhookPolicySettings(httpsOnly, WebhookPolicySettings.parseAllowList(allowedTargets), maxUrlLength);
        }
    }

    @Singleton
    public WebhookAddressPolicy webhookAddressPolicy(WebhookPolicyConfiguration config) {
        return new WebhookAddressPolicy(config.settings(), HostResolver.system(config.dnsTimeout()));
    }
}
