package dev.snapflow.functions.validate.accept;

import dev.snapflow.functions.shared.webhooks.WebhookAddressPolicy;
import dev.snapflow.functions.shared.webhooks.WebhookUrlRefused;
import jakarta.inject.Singleton;

/**
 * A request's {@code webhookUrl} against the {@link WebhookAddressPolicy}, at submission (API, process.requested,
 * subscriptions and the processes they start): a refused URL is a 422 naming {@code webhookUrl} and the rule.
 * callback checks again at delivery, after a fresh lookup.
 */
@Singleton
public class WebhookUrlValidator {
    private final WebhookAddressPolicy policy;

    public WebhookUrlValidator(WebhookAddressPolicy policy) {
        this.policy = policy;
    }

    /** @throws RequestRejected 422 for a URL the policy refuses */
    public void check(String webhookUrl) {
        try {
            policy.checkAtSubmission(webhookUrl);
        } catch (WebhookUrlRefused e) {
            throw RequestRejected.unprocessable("webhook_" + e.rule().code(), "webhookUrl", e.getMessage());
        }
    }
}
