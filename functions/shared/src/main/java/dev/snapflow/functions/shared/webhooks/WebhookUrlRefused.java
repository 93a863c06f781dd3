package dev.snapflow.functions.shared.webhooks;

/** A webhook URL (or the address its host resolves to) that {@link WebhookAddressPolicy} does not allow. */
public class WebhookUrlRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final WebhookUrlRule rule;

    public WebhookUrlRefused(WebhookUrlRule rule, String message) {
        super(message + " (rule " + rule.code() + ")");
        this.rule = rule;
    }

    public WebhookUrlRule rule() {
        return rule;
    }
}
