package dev.snapflow.functions.shared.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How this function checks the OIDC token Knative Eventing attaches to each delivery ({@code snapflow.oidc}),
 * required on the HTTP transport (Knative) and absent on Kafka, where {@code POST /} is not served.
 *
 * @param issuer                 the cluster's token issuer, exactly as in the tokens' {@code iss} (env SNAPFLOW_OIDC_ISSUER);
 *                               https, or http on a loopback host (tests)
 * @param jwksUrl                the issuer's JWKS; empty means discover it from {@code {issuer}/.well-known/openid-configuration}
 *                               (env SNAPFLOW_OIDC_JWKS_URL)
 * @param audience               this function's audience, as the Triggers' {@code subscriber.audience} (env SNAPFLOW_OIDC_AUDIENCE)
 * @param allowedSenders         the token subjects that may deliver to this function, the {@code from.sub}s of the
 *                               EventPolicy naming it; a trailing {@code *} matches any suffix, as in EventPolicy
 *                               (env SNAPFLOW_OIDC_ALLOWED_SENDERS, comma-separated)
 * @param clockSkew              tolerance on exp, nbf and iat (env SNAPFLOW_OIDC_CLOCK_SKEW)
 * @param httpTimeout            connect and read timeout of each discovery or JWKS request (env SNAPFLOW_OIDC_HTTP_TIMEOUT)
 * @param jwksCacheTtl           how long fetched keys are used before they are fetched again (env SNAPFLOW_OIDC_JWKS_CACHE_TTL)
 * @param jwksRefreshMinInterval at most one refresh per interval for tokens with an unknown {@code kid}
 *                               (env SNAPFLOW_OIDC_JWKS_REFRESH_MIN_INTERVAL)
 * @param caFile                 PEM CA bundle the issuer's TLS certificate chains to; empty means the JVM's trust store
 *                               (env SNAPFLOW_OIDC_CA_FILE; on Kubernetes the service-account ca.crt)
 * @param jwksTokenFile          a file holding a bearer token presented to the discovery and JWKS endpoints, re-read on
 *                               each fetch; empty means none (env SNAPFLOW_OIDC_JWKS_TOKEN_FILE; on Kubernetes the pod's
 *                               own service-account token, as the API server may require it)
 */
// Eager, so a missing or invalid setting stops the function at startup with its message.
@Context
@ConfigurationProperties("snapflow.oidc")
@Requires(property = "snapflow.events.transport", value = "http")
public record OidcDeliveryConfiguration(
        @Nullable String issuer,
        @Nullable String jwksUrl,
        @Nullable String audience,
        @Nullable List<String> allowedSenders,
        @Bindable(defaultValue = "30s") Duration clockSkew,
        @Bindable(defaultValue = "5s") Duration httpTimeout,
        @Bindable(defaultValue = "5m") Duration jwksCacheTtl,
        @Bindable(defaultValue = "30s") Duration jwksRefreshMinInterval,
        @Nullable String caFile,
        @Nullable String jwksTokenFile) {

    public OidcDeliveryConfiguration {
        issuer = blankToNull(issuer);
        jwksUrl = blankToNull(jwksUrl);
        audience = blankToNull(audience);
        caFile = blankToNull(caFile);
        jwksTokenFile = blankToNull(jwksTokenFile);
        allowedSenders = allowedSenders == null ? List.of()
                : allowedSenders.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (issuer == null) {
            throw invalid("snapflow.oidc.issuer (env SNAPFLOW_OIDC_ISSUER) must be set when snapflow.events.transport "
                    + "(env SNAPFLOW_TRANSPORT) is http: every delivery to POST / is checked against the cluster's OIDC issuer");
        }
        requireSecureUrl(issuer, "snapflow.oidc.issuer (env SNAPFLOW_OIDC_ISSUER)");
        if (jwksUrl != null) {
            requireSecureUrl(jwksUrl, "snapflow.oidc.jwks-url (env SNAPFLOW_OIDC_JWKS_URL)");
        }
        if (audience == null) {
            throw invalid("snapflow.oidc.audience (env SNAPFLOW_OIDC_AUDIENCE) must be set: the audience of the tokens "
                    + "sent to this function (the Triggers' subscriber.audience)");
        }
        if (allowedSenders.isEmpty()) {
            throw invalid("snapflow.oidc.allowed-senders (env SNAPFLOW_OIDC_ALLOWED_SENDERS) must list at least one "
                    + "token subject (system:serviceaccount:<namespace>:<name>) that may deliver events to this function");
        }
        for (String sender : allowedSenders) {
            if (sender.equals("*") || (sender.indexOf('*') >= 0 && sender.indexOf('*') != sender.length() - 1)) {
                throw invalid("snapflow.oidc.allowed-senders (env SNAPFLOW_OIDC_ALLOWED_SENDERS): '" + sender
                        + "' is not allowed; a '*' may only end a subject prefix");
            }
        }
        requirePositive(clockSkew, "snapflow.oidc.clock-skew (env SNAPFLOW_OIDC_CLOCK_SKEW)", true);
        if (clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw invalid("snapflow.oidc.clock-skew (env SNAPFLOW_OIDC_CLOCK_SKEW) must be at most 5m, was " + clockSkew);
        }
        requirePositive(httpTimeout, "snapflow.oidc.http-timeout (env SNAPFLOW_OIDC_HTTP_TIMEOUT)", false);
        requirePositive(jwksCacheTtl, "snapflow.oidc.jwks-cache-ttl (env SNAPFLOW_OIDC_JWKS_CACHE_TTL)", false);
        requirePositive(jwksRefreshMinInterval,
                "snapflow.oidc.jwks-refresh-min-interval (env SNAPFLOW_OIDC_JWKS_REFRESH_MIN_INTERVAL)", false);
        if (jwksRefreshMinInterval.compareTo(jwksCacheTtl) >= 0) {
            // Nimbus refuses this combination when it builds the key source, at the first delivery: refuse it here.
            throw invalid("snapflow.oidc.jwks-refresh-min-interval (env SNAPFLOW_OIDC_JWKS_REFRESH_MIN_INTERVAL, "
                    + jwksRefreshMinInterval + ") must be shorter than snapflow.oidc.jwks-cache-ttl (env "
                    + "SNAPFLOW_OIDC_JWKS_CACHE_TTL, " + jwksCacheTtl + ")");
        }
        if (caFile != null && !Files.isReadable(Path.of(caFile))) {
            throw invalid("snapflow.oidc.ca-file (env SNAPFLOW_OIDC_CA_FILE): " + caFile + " is not a readable file");
        }
    }

    /** Whether {@code subject} is one of {@link #allowedSenders()} (exactly, or by a prefix ending in {@code *}). */
    public boolean allows(String subject) {
        for (String sender : allowedSenders) {
            if (sender.endsWith("*") ? subject.startsWith(sender.substring(0, sender.length() - 1)) : subject.equals(sender)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        // Nothing here is secret (the token file's content never enters this record); listed so logs show the setup.
        return "OidcDeliveryConfiguration[issuer=" + issuer + ", jwksUrl=" + (jwksUrl == null ? "(discovered)" : jwksUrl)
                + ", audience=" + audience + ", allowedSenders=" + allowedSenders + ", clockSkew=" + clockSkew
                + ", httpTimeout=" + httpTimeout + ", jwksCacheTtl=" + jwksCacheTtl + ", jwksRefreshMinInterval="
                + jwksRefreshMinInterval + ", caFile=" + caFile + ", jwksTokenFile=" + jwksTokenFile + "]";
    }

    private static void requireSecureUrl(String value, String setting) {
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw invalid(setting + " is not a URL: " + value);
        }
        String host = uri.getHost();
        boolean loopback = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
            throw invalid(setting + " must be an https URL (http only on a loopback host), was " + value);
        }
    }

    private static void requirePositive(Duration value, String setting, boolean zeroAllowed) {
        if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw invalid(setting + " must be a positive duration, was " + value);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException(message);
    }
}
