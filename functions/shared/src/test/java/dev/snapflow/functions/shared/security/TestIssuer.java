package dev.snapflow.functions.shared.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the cluster's service-account token issuer: its own RSA and EC keys, its JWKS and OpenID
 * discovery document served over real HTTP on loopback, and tokens shaped like Knative Eventing's (a
 * {@code system:serviceaccount:...} subject and the receiver's audience). Also mints the bad tokens an attacker
 * would try. For the tests of every function that serves {@code POST /}.
 */
public final class TestIssuer implements AutoCloseable {
    public static final String TRIGGER_SUBJECT = "system:serviceaccount:snapflow:test-trigger-oidc-eventing.knative.dev-trigger";

    private final HttpServer server;
    private volatile RSAKey rsa;
    private final ECKey ec;
    /** Signs tokens whose key the JWKS does not hold. */
    private final RSAKey stranger;
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final List<RSAKey> retired = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TestIssuer() {
        try {
            rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
            ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
            stranger = new RSAKeyGenerator(2048).keyID("rsa-stranger").generate();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (JOSEException | IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/issuer/.well-known/openid-configuration", exchange -> respond(exchange,
                "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/keys\","
                        + "\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}"));
        server.createContext("/issuer/keys", exchange -> {
            jwksRequests.incrementAndGet();
            List<com.nimbusds.jose.jwk.JWK> keys = new java.util.ArrayList<>(List.of(rsa.toPublicJWK(), ec.toPublicJWK()));
            retired.forEach(key -> keys.add(key.toPublicJWK()));
            respond(exchange, new JWKSet(keys).toString());
        });
        server.start();
    }

    public static TestIssuer start() {
        return new TestIssuer();
    }

    /** The issuer URL, as in the tokens' {@code iss}. */
    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/issuer";
    }

    /** Key rotation: a new signing key (new kid) that the JWKS serves from now on, next to the previous one. */
    public void rotate() {
        try {
            RSAKey previous = rsa;
            RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-" + (jwksRequests.get() + 2) + "-" + System.nanoTime()).generate();
            retired.add(previous);
            rsa = next;
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** The settings that make a function trust this issuer for {@code audience} and accept {@code senders}. */
    public Map<String, Object> properties(String audience, String... senders) {
        return Map.of("snapflow.oidc.issuer", issuer(), "snapflow.oidc.audience", audience,
                "snapflow.oidc.allowed-senders", String.join(",", senders));
    }

    /** Claims of a valid token for {@code subject} and {@code audience}, to be changed by a test. */
    public JWTClaimsSet.Builder claims(String subject, String audience) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer()).subject(subject).audience(audience)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }

    /** A valid RS256 token, as Knative Eventing would attach it. */
    public String token(String subject, String audience) {
        return rs256(claims(subject, audience).build());
    }

    public String rs256(JWTClaimsSet claims) {
        return sign(claims, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), rsa, false);
    }

    public String es256(JWTClaimsSet claims) {
        return sign(claims, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), ec, false);
    }

    /** Signed with a key the JWKS does not hold (its kid is unknown). */
    public String signedByStranger(JWTClaimsSet claims) {
        return sign(claims, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(stranger.getKeyID()).build(), stranger, false);
    }

    /** The algorithm-confusion attack: HS256 with the issuer's public RSA key as the HMAC secret. */
    public String hmacWithPublicKey(JWTClaimsSet claims) {
        return sign(claims, new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), rsa, true);
    }

    /** {@code alg: none}. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    private static String sign(JWTClaimsSet claims, JWSHeader header, com.nimbusds.jose.jwk.JWK key, boolean hmacWithPublicKey) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            if (hmacWithPublicKey) {
                jwt.sign(new MACSigner(((RSAKey) key).toRSAPublicKey().getEncoded()));
            } else if (key instanceof RSAKey rsaKey) {
                jwt.sign(new RSASSASigner(rsaKey));
            } else {
                jwt.sign(new ECDSASigner((ECKey) key));
            }
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(HttpExchange exchange, String json) {
        try (exchange) {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
