package dev.snapflow.functions.shared.security;

/**
 * Decides whether an event delivery to this function's {@code POST /} comes from a sender allowed to send it
 * (on Knative: the broker's Trigger or the KafkaSource, proven by the OIDC token Knative Eventing attaches).
 * Plain Java: the HTTP entry point maps the verdict to a status, a problem and a metric.
 */
public interface DeliveryAuthenticator {

    /**
     * @param authorization the request's {@code Authorization} header, or null when there is none
     */
    Verdict authenticate(String authorization);

    /** The outcome of one authentication. */
    sealed interface Verdict {
        /** A valid token from an allowed sender: the event may be dispatched. */
        record Accepted(String subject) implements Verdict {
        }

        /** No token, or a token that is not valid for this function (401). */
        record Unauthenticated(Rejection reason) implements Verdict {
        }

        /** A valid token from a sender this function does not accept (403). */
        record Forbidden(String subject) implements Verdict {
        }

        /** The token cannot be checked right now (the issuer's keys are unreachable): the sender retries (503). */
        record Unavailable(String detail) implements Verdict {
        }
    }

    /** Why a delivery was refused; {@link #metricTag()} names it in the rejection metric. */
    enum Rejection {
        MISSING_TOKEN("no bearer token in the Authorization header"),
        MALFORMED_TOKEN("the bearer token is not a JWT"),
        UNSIGNED_TOKEN("the token is not signed (alg none or encrypted only)"),
        DISALLOWED_ALGORITHM("the token's signature algorithm is not an allowed asymmetric algorithm"),
        UNKNOWN_KEY("the token is signed with a key that is not in the issuer's JWKS"),
        BAD_SIGNATURE("the token's signature does not verify"),
        WRONG_ISSUER("the token was issued by another issuer"),
        WRONG_AUDIENCE("the token is meant for another audience"),
        EXPIRED("the token has expired"),
        NOT_YET_VALID("the token is not valid yet (nbf or iat in the future)"),
        MISSING_CLAIM("the token lacks a required claim (sub, exp, iat)"),
        SENDER_NOT_ALLOWED("the token's subject may not send events to this function");

        private final String detail;

        Rejection(String detail) {
            this.detail = detail;
        }

        public String detail() {
            return detail;
        }

        public String metricTag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
