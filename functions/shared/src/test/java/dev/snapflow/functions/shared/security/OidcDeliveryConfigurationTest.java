package dev.snapflow.functions.shared.security;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each invalid setting of the delivery check stops the function at start-up with a message naming its variable. */
class OidcDeliveryConfigurationTest {
    private static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    private static final String SENDER = "system:serviceaccount:snapflow:t-oidc-eventing.knative.dev-trigger";

    private static OidcDeliveryConfiguration config(String issuer, String audience, List<String> senders) {
        return new OidcDeliveryConfiguration(issuer, null, audience, senders, Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30), null, null);
    }

    @Test
    void aCompleteConfigurationIsAccepted() {
        OidcDeliveryConfiguration config = config(ISSUER, "snapflow-launch", List.of(SENDER, " "));
        assertThat(config.allowedSenders()).containsExactly(SENDER);
        assertThat(config.toString()).contains(ISSUER).contains("snapflow-launch");
    }

    @Test
    void missingIssuerNamesItsVariable() {
        assertThatThrownBy(() -> config(" ", "a", List.of(SENDER))).hasMessageContaining("SNAPFLOW_OIDC_ISSUER");
    }

    @Test
    void plainHttpIssuerIsRefusedExceptOnLoopback() {
        assertThatThrownBy(() -> config("http://issuer.example", "a", List.of(SENDER)))
                .hasMessageContaining("SNAPFLOW_OIDC_ISSUER").hasMessageContaining("https");
        assertThat(config("http://127.0.0.1:8080/issuer", "a", List.of(SENDER)).issuer()).startsWith("http://127.0.0.1");
    }

    @Test
    void missingAudienceNamesItsVariable() {
        assertThatThrownBy(() -> config(ISSUER, null, List.of(SENDER))).hasMessageContaining("SNAPFLOW_OIDC_AUDIENCE");
    }

    @Test
    void noAllowedSenderNamesItsVariable() {
        assertThatThrownBy(() -> config(ISSUER, "a", null)).hasMessageContaining("SNAPFLOW_OIDC_ALLOWED_SENDERS");
        assertThatThrownBy(() -> config(ISSUER, "a", List.of(""))).hasMessageContaining("SNAPFLOW_OIDC_ALLOWED_SENDERS");
    }

    @Test
    void aWildcardOtherThanAtTheEndOfAPrefixIsRefused() {
        assertThatThrownBy(() -> config(ISSUER, "a", List.of("*"))).hasMessageContaining("SNAPFLOW_OIDC_ALLOWED_SENDERS");
        assertThatThrownBy(() -> config(ISSUER, "a", List.of("system:*:x"))).hasMessageContaining("'system:*:x'");
    }

    @Test
    void aSenderMatchesExactlyOrByItsPrefix() {
        OidcDeliveryConfiguration config = config(ISSUER, "a", List.of(SENDER, "system:serviceaccount:partners:*"));
        assertThat(config.allows(SENDER)).isTrue();
        assertThat(config.allows(SENDER + "x")).isFalse();
        assertThat(config.allows("system:serviceaccount:partners:feed")).isTrue();
        assertThat(config.allows("system:serviceaccount:snapflow:other")).isFalse();
    }

    @Test
    void clockSkewAboveFiveMinutesIsRefused() {
        assertThatThrownBy(() -> new OidcDeliveryConfiguration(ISSUER, null, "a", List.of(SENDER), Duration.ofMinutes(10),
                Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30), null, null))
                .hasMessageContaining("SNAPFLOW_OIDC_CLOCK_SKEW");
    }

    @Test
    void unreadableCaFileNamesItsVariable() {
        assertThatThrownBy(() -> new OidcDeliveryConfiguration(ISSUER, null, "a", List.of(SENDER), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30), "/nonexistent/ca.crt", null))
                .hasMessageContaining("SNAPFLOW_OIDC_CA_FILE");
    }

    @Test
    void aRefreshIntervalNotShorterThanTheCacheLifetimeIsRefused() {
        assertThatThrownBy(() -> new OidcDeliveryConfiguration(ISSUER, null, "a", List.of(SENDER), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(5), null, null))
                .hasMessageContaining("SNAPFLOW_OIDC_JWKS_REFRESH_MIN_INTERVAL").hasMessageContaining("SNAPFLOW_OIDC_JWKS_CACHE_TTL");
    }
}
