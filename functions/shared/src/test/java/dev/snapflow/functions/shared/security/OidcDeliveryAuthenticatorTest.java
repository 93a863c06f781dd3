package dev.snapflow.functions.shared.security;

import dev.snapflow.functions.shared.security.DeliveryAuthenticator.Rejection;
import dev.snapflow.functions.shared.security.DeliveryAuthenticator.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The JWKS handling of the delivery check: key rotation, rate-limited refresh, an unreachable issuer. */
class OidcDeliveryAuthenticatorTest {
    private static final String AUDIENCE = "snapflow-launch";
    private static final String SENDER = TestIssuer.TRIGGER_SUBJECT;

    private final TestIssuer issuer = TestIssuer.start();

    @AfterEach
    void stop() {
        issuer.close();
    }

    private OidcDeliveryAuthenticator authenticator(String issuerUrl, Duration refreshMinInterval) {
        return new OidcDeliveryAuthenticator(new OidcDeliveryConfiguration(issuerUrl, null, AUDIENCE, List.of(SENDER),
                Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(5), refreshMinInterval, null, null),
                Clock.systemUTC());
    }

    @Test
    void aTokenSignedByARotatedInKeyIsAcceptedAfterOneRefresh() {
        OidcDeliveryAuthenticator authenticator = authenticator(issuer.issuer(), Duration.ofMillis(1));
        assertThat(authenticator.authenticate("Bearer " + issuer.token(SENDER, AUDIENCE))).isInstanceOf(Verdict.Accepted.class);
        int fetched = issuer.jwksRequests();

        issuer.rotate();

        assertThat(authenticator.authenticate("Bearer " + issuer.token(SENDER, AUDIENCE)))
                .isEqualTo(new Verdict.Accepted(SENDER));
        assertThat(issuer.jwksRequests()).isEqualTo(fetched + 1);
    }

    @Test
    void unknownKeysDoNotMakeItFetchTheJwksMoreThanOncePerInterval() {
        OidcDeliveryAuthenticator authenticator = authenticator(issuer.issuer(), Duration.ofMinutes(4));
        assertThat(authenticator.authenticate("Bearer " + issuer.token(SENDER, AUDIENCE))).isInstanceOf(Verdict.Accepted.class);

        for (int i = 0; i < 20; i++) {
            assertThat(authenticator.authenticate("Bearer " + issuer.signedByStranger(issuer.claims(SENDER, AUDIENCE).build())))
                    .isEqualTo(new Verdict.Unauthenticated(Rejection.UNKNOWN_KEY));
        }
        assertThat(issuer.jwksRequests()).isLessThanOrEqualTo(3);
    }

    @Test
    void anUnreachableIssuerMakesTheDeliveryRetriedNotRefused() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OidcDeliveryAuthenticator authenticator = authenticator("http://127.0.0.1:" + closedPort + "/issuer", Duration.ofSeconds(30));

        assertThat(authenticator.authenticate("Bearer " + issuer.token(SENDER, AUDIENCE))).isInstanceOf(Verdict.Unavailable.class);
        // Refusals that need no key are still refusals.
        assertThat(authenticator.authenticate(null)).isEqualTo(new Verdict.Unauthenticated(Rejection.MISSING_TOKEN));
    }
}
