package dev.snapflow.functions.shared.webhooks;

/**
 * The rules of {@link WebhookAddressPolicy}, each with the name a refusal carries (in a 422 problem's message,
 * a delivery row's {@code last_error} and the {@code snapflow.processes.rejected{reason}} metric).
 */
public enum WebhookUrlRule {
    URL_TOO_LONG("url_too_long"),
    MALFORMED_URL("malformed_url"),
    SCHEME_NOT_ALLOWED("scheme_not_allowed"),
    USERINFO_NOT_ALLOWED("userinfo_not_allowed"),
    METADATA_HOST("metadata_host"),
    LOOPBACK_ADDRESS("loopback_address"),
    LINK_LOCAL_ADDRESS("link_local_address"),
    PRIVATE_ADDRESS("private_address"),
    CGNAT_ADDRESS("cgnat_address"),
    MULTICAST_ADDRESS("multicast_address"),
    UNSPECIFIED_ADDRESS("unspecified_address"),
    BROADCAST_ADDRESS("broadcast_address"),
    RESERVED_ADDRESS("reserved_address");

    private final String code;

    WebhookUrlRule(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
