package dev.snapflow.functions.shared.events;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.snapflow.functions.shared.security.TestIssuer;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP entry point ({@code POST /}, the Knative transport) dispatches an event only when the delivery carries
 * a valid OIDC token of the configured issuer, for this function's audience, from an allowed sender: tested
 * against a real issuer (own keys, JWKS and discovery document over HTTP) and each kind of forged token.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeliveryAuthenticationTest {
    private static final String AUDIENCE = "snapflow-test-function";
    private static final String SENDER = TestIssuer.TRIGGER_SUBJECT;

    private TestIssuer issuer;
    private EmbeddedServer server;
    private ScriptedHandler handler;
    private MeterRegistry meters;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(LocalStack stack) {
        issuer = TestIssuer.start();
        Map<String, Object> properties = new HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "scripted-handler.enabled", "true",
                "kafka.bootstrap.servers", stack.kafka().bootstrapServers(),
                "snapflow.events.transport", "http",
                "snapflow.events.sink", "http://127.0.0.1:9/",
                "snapflow.events.consumer-group", "delivery-auth-test",
                "datasources.default.url", stack.database().jdbcUrl(),
                "datasources.default.username", stack.database().username(),
                "datasources.default.password", stack.database().password()));
        properties.putAll(issuer.properties(AUDIENCE, SENDER, "system:serviceaccount:partners:*"));
        server = ApplicationContext.run(EmbeddedServer.class, properties);
        handler = server.getApplicationContext().getBean(ScriptedHandler.class);
        meters = server.getApplicationContext().getBean(MeterRegistry.class);
    }

    @AfterAll
    void stop() {
        server.getApplicationContext().close();
        issuer.close();
    }

    private static CloudEvent event() {
        return CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withSource(URI.create("/test"))
                .withType(ScriptedHandler.TYPE).withExtension("partitionkey", "t/e")
                .withData("text/plain", "done".getBytes(StandardCharsets.UTF_8)).build();
    }

    private HttpResponse<String> post(CloudEvent event, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve("/"));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double rejections(String reason) {
        var counter = meters.find(CloudEventsHttpEntryPoint.REJECTED_METRIC).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Posts with {@code token}, expects {@code status} with a problem naming Authorization, and no dispatch. */
    private void assertRefused(String token, int status, String reason) throws Exception {
        double before = rejections(reason);
        CloudEvent event = event();

        HttpResponse<String> response = post(event, token == null ? null : "Bearer " + token);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"field\":\"Authorization\"");
        if (token != null) {
            assertThat(response.body()).doesNotContain(token);
        }
        assertThat(handler.deliveriesOf(event.getId())).isZero();
        assertThat(rejections(reason)).isEqualTo(before + 1);
    }

    @Test
    void deliveryWithAValidRs256TokenFromAnAllowedSenderIsDispatched() throws Exception {
        CloudEvent event = event();
        HttpResponse<String> response = post(event, "Bearer " + issuer.token(SENDER, AUDIENCE));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(handler.deliveriesOf(event.getId())).isEqualTo(1);
    }

    @Test
    void deliveryWithAValidEs256TokenFromASenderMatchingAPrefixIsDispatched() throws Exception {
        CloudEvent event = event();
        String token = issuer.es256(issuer.claims("system:serviceaccount:partners:orders-feed", AUDIENCE).build());
        HttpResponse<String> response = post(event, "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(handler.deliveriesOf(event.getId())).isEqualTo(1);
    }

    @Test
    void deliveryWithoutATokenIsRefusedWith401() throws Exception {
        assertRefused(null, 401, "missing_token");
        CloudEvent event = event();
        HttpResponse<String> basic = post(event, "Basic dXNlcjpwYXNz");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(handler.deliveriesOf(event.getId())).isZero();
    }

    @Test
    void tokenThatIsNotAJwtIsRefusedWith401() throws Exception {
        assertRefused("not-a-jwt", 401, "malformed_token");
    }

    @Test
    void tokenForAnotherAudienceIsRefusedWith401() throws Exception {
        assertRefused(issuer.token(SENDER, "snapflow-other-function"), 401, "wrong_audience");
    }

    @Test
    void tokenOfAnotherIssuerIsRefusedWith401() throws Exception {
        assertRefused(issuer.rs256(issuer.claims(SENDER, AUDIENCE).issuer("https://evil.example/issuer").build()),
                401, "wrong_issuer");
    }

    @Test
    void expiredTokenIsRefusedWith401() throws Exception {
        Instant past = Instant.now().minus(Duration.ofHours(1));
        assertRefused(issuer.rs256(issuer.claims(SENDER, AUDIENCE).issueTime(Date.from(past))
                .notBeforeTime(Date.from(past)).expirationTime(Date.from(past.plus(Duration.ofMinutes(10)))).build()),
                401, "expired");
    }

    @Test
    void tokenNotValidYetIsRefusedWith401() throws Exception {
        Instant future = Instant.now().plus(Duration.ofHours(1));
        assertRefused(issuer.rs256(issuer.claims(SENDER, AUDIENCE).notBeforeTime(Date.from(future)).build()),
                401, "not_yet_valid");
    }

    @Test
    void tokenWithoutExpiryIsRefusedWith401() throws Exception {
        assertRefused(issuer.rs256(issuer.claims(SENDER, AUDIENCE).expirationTime(null).build()), 401, "missing_claim");
    }

    @Test
    void unsignedTokenIsRefusedWith401() throws Exception {
        assertRefused(TestIssuer.unsigned(issuer.claims(SENDER, AUDIENCE).build()), 401, "unsigned_token");
    }

    @Test
    void hmacTokenSignedWithTheIssuersPublicKeyIsRefusedWith401() throws Exception {
        assertRefused(issuer.hmacWithPublicKey(issuer.claims(SENDER, AUDIENCE).build()), 401, "disallowed_algorithm");
    }

    @Test
    void tokenSignedByAKeyNotInTheJwksIsRefusedWith401() throws Exception {
        assertRefused(issuer.signedByStranger(issuer.claims(SENDER, AUDIENCE).build()), 401, "unknown_key");
    }

    @Test
    void tokenWithATamperedPayloadIsRefusedWith401() throws Exception {
        String valid = issuer.token("system:serviceaccount:snapflow:someone-else", AUDIENCE);
        String forgedPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                issuer.claims(SENDER, AUDIENCE).build().toString().getBytes(StandardCharsets.UTF_8));
        String[] parts = valid.split("\\.");
        assertRefused(parts[0] + "." + forgedPayload + "." + parts[2], 401, "bad_signature");
    }

    @Test
    void validTokenOfASenderNotAllowedIsRefusedWith403() throws Exception {
        assertRefused(issuer.token("system:serviceaccount:snapflow:some-other-pod", AUDIENCE), 403, "sender_not_allowed");
    }

    @Test
    void jwksIsFetchedOnceForManyDeliveries() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(post(event(), "Bearer " + issuer.token(SENDER, AUDIENCE)).statusCode()).isEqualTo(202);
        }
        // At most: the first fetch, plus one refresh for the unknown-kid test if it ran first.
        assertThat(issuer.jwksRequests()).isBetween(1, 2);
    }
}
