package dev.snapflow.functions.shared.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies the Knative Eventing OIDC token of a delivery with Nimbus JOSE+JWT: the signature against the issuer's
 * JWKS (discovered from {@code /.well-known/openid-configuration} unless configured; cached, refreshed on an unknown
 * {@code kid} at most once per {@code jwks-refresh-min-interval}; every fetch bounded by {@code http-timeout}),
 * an asymmetric algorithm from a fixed list (so {@code alg: none} and HMAC with a public key as secret fail),
 * issuer, audience, exp/nbf/iat within the clock skew, and the subject against this function's allowed senders.
 * The token itself is never logged nor put in an error.
 */
public final class OidcDeliveryAuthenticator implements DeliveryAuthenticator {
    /** Kubernetes signs service-account tokens with RS256 or ES256; the rest are the other asymmetric JWS algorithms. */
    static final Set<JWSAlgorithm> ALLOWED_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    private static final int MAX_DOCUMENT_BYTES = 256 * 1024;
    /** A failed discovery is not retried before this: the broker's redeliveries must not hammer the issuer. */
    private static final Duration DISCOVERY_RETRY_INTERVAL = Duration.ofSeconds(5);

    private final OidcDeliveryConfiguration config;
    private final Clock clock;
    private final BearerRetriever retriever;
    private volatile DefaultJWTProcessor<SecurityContext> processor;
    private volatile Instant lastDiscoveryFailure;

    public OidcDeliveryAuthenticator(OidcDeliveryConfiguration config, Clock clock) {
        this.config = config;
        this.clock = clock;
        int timeoutMillis = Math.toIntExact(config.httpTimeout().toMillis());
        SSLSocketFactory tls = config.caFile() == null ? null
                : PemTrust.sslContext(read(Path.of(config.caFile()), "snapflow.oidc.ca-file"), "snapflow.oidc.ca-file "
                        + config.caFile()).getSocketFactory();
        this.retriever = new BearerRetriever(timeoutMillis, tls, config.jwksTokenFile());
    }

    @Override
    public Verdict authenticate(String authorization) {
        String token = bearerToken(authorization);
        if (token == null) {
            return new Verdict.Unauthenticated(Rejection.MISSING_TOKEN);
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            return new Verdict.Unauthenticated(Rejection.MALFORMED_TOKEN);
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return new Verdict.Unauthenticated(Rejection.UNSIGNED_TOKEN);
        }
        if (!ALLOWED_ALGORITHMS.contains(signed.getHeader().getAlgorithm())) {
            return new Verdict.Unauthenticated(Rejection.DISALLOWED_ALGORITHM);
        }
        DefaultJWTProcessor<SecurityContext> verifier;
        try {
            verifier = processor();
        } catch (IssuerUnavailable e) {
            return new Verdict.Unavailable(e.getMessage());
        }
        JWTClaimsSet claims;
        try {
            claims = verifier.process(signed, null);
        } catch (ClaimRejected e) {
            return new Verdict.Unauthenticated(e.rejection);
        } catch (BadJWSException e) {
            return new Verdict.Unauthenticated(Rejection.BAD_SIGNATURE);
        } catch (BadJOSEException e) {
            // "no matching key(s) found": the kid (or key type) is not in the JWKS, even after a refresh.
            return new Verdict.Unauthenticated(Rejection.UNKNOWN_KEY);
        } catch (RateLimitReachedException e) {
            // An unknown kid, and the JWKS was refreshed too recently to fetch it again.
            return new Verdict.Unauthenticated(Rejection.UNKNOWN_KEY);
        } catch (KeySourceException e) {
            return new Verdict.Unavailable("the issuer's keys could not be fetched: " + e.getMessage());
        } catch (JOSEException e) {
            return new Verdict.Unauthenticated(Rejection.BAD_SIGNATURE);
        }
        String subject = claims.getSubject();
        return config.allows(subject) ? new Verdict.Accepted(subject) : new Verdict.Forbidden(subject);
    }

    private static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    private DefaultJWTProcessor<SecurityContext> processor() throws IssuerUnavailable {
        DefaultJWTProcessor<SecurityContext> current = processor;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (processor != null) {
                return processor;
            }
            Instant failed = lastDiscoveryFailure;
            if (failed != null && clock.instant().isBefore(failed.plus(DISCOVERY_RETRY_INTERVAL))) {
                throw new IssuerUnavailable("the issuer's OIDC discovery failed moments ago; try again later");
            }
            try {
                processor = newProcessor(jwksUrl());
                lastDiscoveryFailure = null;
                return processor;
            } catch (IssuerUnavailable e) {
                lastDiscoveryFailure = clock.instant();
                throw e;
            }
        }
    }

    private URL jwksUrl() throws IssuerUnavailable {
        if (config.jwksUrl() != null) {
            return toUrl(config.jwksUrl());
        }
        String issuer = config.issuer();
        URL discovery = toUrl(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        try {
            Map<String, Object> document = JSONObjectUtils.parse(retriever.retrieveResource(discovery).getContent());
            // OpenID Connect Discovery 1.0, section 4.3: the document's issuer must be the one it was fetched for.
            if (!issuer.equals(JSONObjectUtils.getString(document, "issuer"))) {
                throw new IssuerUnavailable("the discovery document at " + discovery + " names issuer "
                        + JSONObjectUtils.getString(document, "issuer") + ", not " + issuer);
            }
            String jwks = JSONObjectUtils.getString(document, "jwks_uri");
            if (jwks == null) {
                throw new IssuerUnavailable("the discovery document at " + discovery + " has no jwks_uri");
            }
            return toUrl(jwks);
        } catch (IOException | ParseException e) {
            throw new IssuerUnavailable("OIDC discovery at " + discovery + " failed: " + e.getMessage());
        }
    }

    private DefaultJWTProcessor<SecurityContext> newProcessor(URL jwks) {
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwks, retriever)
                .cache(config.jwksCacheTtl().toMillis(), config.httpTimeout().toMillis())
                .refreshAheadCache(false)
                .rateLimited(config.jwksRefreshMinInterval().toMillis())
                .retrying(false)
                .outageTolerant(false)
                .build();
        DefaultJWTProcessor<SecurityContext> built = new DefaultJWTProcessor<>();
        built.setJWSKeySelector(new JWSVerificationKeySelector<>(ALLOWED_ALGORITHMS, keys));
        built.setJWTClaimsSetVerifier(new ClaimsVerifier());
        return built;
    }

    /** Issuer, audience, subject and the three times, each refused with its own reason. */
    private final class ClaimsVerifier implements JWTClaimsSetVerifier<SecurityContext> {
        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            if (!config.issuer().equals(claims.getIssuer())) {
                throw new ClaimRejected(Rejection.WRONG_ISSUER);
            }
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(config.audience())) {
                throw new ClaimRejected(Rejection.WRONG_AUDIENCE);
            }
            if (claims.getSubject() == null || claims.getSubject().isBlank()
                    || claims.getExpirationTime() == null || claims.getIssueTime() == null) {
                throw new ClaimRejected(Rejection.MISSING_CLAIM);
            }
            Instant now = clock.instant();
            Duration skew = config.clockSkew();
            if (!now.isBefore(instant(claims.getExpirationTime()).plus(skew))) {
                throw new ClaimRejected(Rejection.EXPIRED);
            }
            if (instant(claims.getIssueTime()).minus(skew).isAfter(now)
                    || (claims.getNotBeforeTime() != null && instant(claims.getNotBeforeTime()).minus(skew).isAfter(now))) {
                throw new ClaimRejected(Rejection.NOT_YET_VALID);
            }
        }

        private static Instant instant(Date date) {
            return date.toInstant();
        }
    }

    private static final class ClaimRejected extends BadJWTException {
        private final Rejection rejection;

        ClaimRejected(Rejection rejection) {
            super(rejection.detail());
            this.rejection = rejection;
        }
    }

    private static final class IssuerUnavailable extends Exception {
        IssuerUnavailable(String message) {
            super(message);
        }
    }

    /**
     * Nimbus's bounded retriever (timeouts, size limit), presenting the token of {@code jwks-token-file} (re-read on
     * each fetch: the kubelet rotates it) when one is configured.
     */
    private static final class BearerRetriever extends DefaultResourceRetriever {
        private final String tokenFile;

        BearerRetriever(int timeoutMillis, SSLSocketFactory tls, String tokenFile) {
            super(timeoutMillis, timeoutMillis, MAX_DOCUMENT_BYTES, true, tls);
            this.tokenFile = tokenFile;
        }

        @Override
        public synchronized Resource retrieveResource(URL url) throws IOException {
            if (tokenFile != null) {
                String token = Files.readString(Path.of(tokenFile), StandardCharsets.US_ASCII).strip();
                setHeaders(Map.of("Authorization", List.of("Bearer " + token)));
            }
            return super.retrieveResource(url);
        }
    }

    private static URL toUrl(String value) throws IssuerUnavailable {
        try {
            return URI.create(value).toURL();
        } catch (IllegalArgumentException | IOException e) {
            throw new IssuerUnavailable("not a URL: " + value);
        }
    }

    private static String read(Path file, String setting) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
