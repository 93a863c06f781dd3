package dev.snapflow.functions.shared.security;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Tenant API keys: {@code sfk_} + 32 random bytes (base64url). Only {@code hex(HMAC-SHA256(pepper, key))} is
 * stored, so the table alone reveals nothing and cannot be attacked offline without the pepper
 * (SNAPFLOW_API_KEY_PEPPER, held by validate only).
 */
public final class ApiKeys {
    public static final String PREFIX = "sfk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Keyed once; every request hashes with a clone (getInstance + init per call was ~3 % of validate's CPU). */
    private final Mac keyedMac;

    public ApiKeys(String pepper) {
        Objects.requireNonNull(pepper, "pepper");
        if (pepper.length() < 16) {
            throw new IllegalArgumentException("the API key pepper (SNAPFLOW_API_KEY_PEPPER) must be at least 16 characters");
        }
        try {
            keyedMac = Mac.getInstance("HmacSHA256");
            keyedMac.init(new SecretKeySpec(pepper.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    public static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String hash(String key) {
        try {
            Mac mac = (Mac) keyedMac.clone();
            return HexFormat.of().formatHex(mac.doFinal(key.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
        }
    }

    /** The first characters, kept to let an operator recognise a key without storing it. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), PREFIX.length() + 6));
    }

    /** Holds a key: never print it. */
    @Override
    public String toString() {
        return "ApiKeys[pepper=****]";
    }
}
