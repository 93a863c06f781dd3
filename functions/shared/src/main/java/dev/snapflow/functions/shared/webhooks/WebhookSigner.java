package dev.snapflow.functions.shared.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * Signs webhook calls as the Standard Webhooks spec says: headers {@code webhook-id}, {@code webhook-timestamp}
 * (Unix seconds) and {@code webhook-signature} = {@code v1,} + base64(HMAC-SHA256(key, id + "." + timestamp +
 * "." + body)), where the key is the base64-decoded part of the tenant's {@code whsec_...} secret.
 */
public final class WebhookSigner {
    public static final String SECRET_PREFIX = "whsec_";
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSigner() {
    }

    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    public static String sign(String secret, String id, long timestampSeconds, String body) {
        return "v1," + Base64.getEncoder().encodeToString(hmac(secret, id + "." + timestampSeconds + "." + body));
    }

    /** The three headers for one call. */
    public static Map<String, String> headers(String secret, String id, long timestampSeconds, String body) {
        return Map.of(ID_HEADER, id, TIMESTAMP_HEADER, Long.toString(timestampSeconds),
                SIGNATURE_HEADER, sign(secret, id, timestampSeconds, body));
    }

    /**
     * Receiver-side check (used by tests and by anyone verifying our calls): any of the space-separated
     * {@code v1,...} signatures matching is enough.
     */
    public static boolean verify(String secret, String id, String timestamp, String body, String signatureHeader) {
        if (signatureHeader == null || id == null || timestamp == null) {
            return false;
        }
        byte[] expected = hmac(secret, id + "." + timestamp + "." + body);
        for (String candidate : signatureHeader.split(" ")) {
            if (candidate.startsWith("v1,")) {
                try {
                    if (MessageDigest.isEqual(expected, Base64.getDecoder().decode(candidate.substring(3)))) {
                        return true;
                    }
                } catch (IllegalArgumentException e) {
                    // not base64: not a match
                }
            }
        }
        return false;
    }

    private static byte[] hmac(String secret, String content) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("a webhook secret starts with " + SECRET_PREFIX);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())), "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
