package dev.snapflow.functions.shared.security;

import dev.snapflow.contracts.jobs.JobId;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;

/**
 * Per-job callback tokens: {@code base64url(HMAC-SHA256(key, "snapflow-job-token/v1\n" + jobId + "\n" + attempt))}.
 * launch mints one for each job it starts (and hands it over in {@code SNAPFLOW_CALLBACK_TOKEN}); callback
 * verifies it. Nothing is stored: a token is valid for exactly one job attempt, and a token of one job never
 * authenticates another.
 */
public final class JobTokens {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int MIN_KEY_BYTES = 32;

    private final SecretKeySpec key;

    /** @param key the shared key (SNAPFLOW_CALLBACK_HMAC_KEY), at least 32 bytes */
    public JobTokens(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the callback HMAC key (SNAPFLOW_CALLBACK_HMAC_KEY) must be at least "
                    + MIN_KEY_BYTES + " bytes, was " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    }

    /** @param key the shared key as text (UTF-8 bytes are used) */
    public static JobTokens fromSecret(String key) {
        return new JobTokens(Objects.requireNonNull(key, "key").getBytes(StandardCharsets.UTF_8));
    }

    public String mint(JobId jobId, int attempt) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(jobId, attempt));
    }

    /** Constant-time check that {@code token} was minted for exactly this job and attempt. */
    public boolean verify(JobId jobId, int attempt, String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(jobId, attempt), presented);
    }

    private byte[] mac(JobId jobId, int attempt) {
        Objects.requireNonNull(jobId, "jobId");
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(("snapflow-job-token/v1\n" + jobId.value() + "\n" + attempt).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Holds a key: never print it. */
    @Override
    public String toString() {
        return "JobTokens[key=****]";
    }
}
