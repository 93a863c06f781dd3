package dev.snapflow.functions.callback.webhooks;

import java.util.Locale;

/**
 * Why a webhook call did not deliver: the first word of the row's {@code last_error} and the {@code error} tag of
 * {@code snapflow_webhooks_failures_total}.
 */
public enum DeliveryError {
    /** The URL or an address its host resolved to is not allowed (WebhookAddressPolicy); never retried. */
    REFUSED_BY_POLICY(true),
    DNS_FAILURE(false),
    CONNECT_TIMEOUT(false),
    CONNECT_FAILED(false),
    TLS_FAILURE(false),
    /** No complete answer within the total timeout. */
    TIMEOUT(false),
    /** The receiver answered with a status other than 2xx. */
    HTTP_STATUS(false),
    IO_ERROR(false),
    /** The worker holding the last attempt's lease died (crash or restart) before it recorded an outcome. */
    WORKER_LOST(true),
    /** The give-up deadline passed before an attempt could be made. */
    DEADLINE_PASSED(true);

    private final boolean permanent;

    DeliveryError(boolean permanent) {
        this.permanent = permanent;
    }

    public boolean permanent() {
        return permanent;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
