package dev.snapflow.contracts.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.CanonicalJson;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Optional;

/**
 * How a registered sender proves, on each event, that it sent it: two CloudEvents extension attributes,
 * {@value #SENDER} (the sender's registered id) and {@value #SIGNATURE} ({@code v1,} + base64 of
 * HMAC-SHA256 over {@link #signedContent the canonical content}), in the spirit of Standard Webhooks. The HMAC key
 * is the base64-decoded part of the sender's {@code sfsnd_...} signing secret.
 *
 * <p>Why per event: a broker delivers every event with its own identity, not the original sender's, and Kafka
 * has none at all, so only a signature inside the event can tell validate who sent it and whether that sender may
 * act for the event's tenant.
 *
 * <p>The signed content is, joined by line feeds: {@code snapflow.event.v1}, the sender id, {@code id},
 * {@code source}, {@code type}, {@code time} as a UTC instant ({@link DateTimeFormatter#ISO_INSTANT}, e.g.
 * {@code 2026-11-21T10:15:31Z}), and last the data as canonical JSON (object keys sorted, no white space; see
 * {@link CanonicalJson}). Signing the parsed data rather than its bytes keeps a signature valid whether the event
 * travels in binary or structured mode and whatever spacing a broker re-serialises it with.
 *
 * <pre>{@code
 * CloudEvent signed = EventSignatures.sign(event, "orders-service", secret);   // adds both extensions
 * boolean ok = EventSignatures.verify(signed, secret);                         // receiver side
 * }</pre>
 */
public final class EventSignatures {
    /** Extension attribute: the registered id of the sender. */
    public static final String SENDER = "snapflowsender";
    /** Extension attribute: {@code v1,<base64 HMAC-SHA256>}; several space-separated values are allowed. */
    public static final String SIGNATURE = "snapflowsig";
    /** A sender's signing secret starts with this; the rest is base64 of 32 random bytes. */
    public static final String SECRET_PREFIX = "sfsnd_";
    private static final String VERSION = "v1,";
    private static final String CONTENT_VERSION = "snapflow.event.v1";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private EventSignatures() {
    }

    /** A new signing secret: {@value #SECRET_PREFIX} + base64 of 32 random bytes. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return secretOf(key);
    }

    /** The signing secret whose HMAC key is {@code key} (for a secret derived from a server key). */
    public static String secretOf(byte[] key) {
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /**
     * The event with {@value #SENDER} and {@value #SIGNATURE} set (an event without {@code time} gets the current
     * time first, as the time is signed).
     *
     * @throws IllegalArgumentException when the secret is not an {@code sfsnd_} secret, the sender id is blank, or
     *                                  the event has no JSON object data or an attribute with a line break
     */
    public static CloudEvent sign(CloudEvent event, String senderId, String secret) {
        CloudEvent timed = event.getTime() != null ? event
                : CloudEventBuilder.from(event).withTime(OffsetDateTime.now(ZoneOffset.UTC)).build();
        return CloudEventBuilder.from(timed)
                .withExtension(SENDER, senderId)
                .withExtension(SIGNATURE, signature(timed, senderId, secret))
                .build();
    }

    /** The {@value #SIGNATURE} value of an event for a sender (the event's own extensions are ignored). */
    public static String signature(CloudEvent event, String senderId, String secret) {
        return VERSION + Base64.getEncoder().encodeToString(hmac(key(secret), signedContent(event, senderId)));
    }

    /** The sender id the event names, if any. */
    public static Optional<String> senderOf(CloudEvent event) {
        return extension(event, SENDER);
    }

    /** The signature the event carries, if any. */
    public static Optional<String> signatureOf(CloudEvent event) {
        return extension(event, SIGNATURE);
    }

    /**
     * True when the event names a sender and one of its {@code v1,} signatures is that sender's signature under
     * {@code secret}. Compares in constant time; a malformed event or signature is simply not valid.
     */
    public static boolean verify(CloudEvent event, String secret) {
        Optional<String> sender = senderOf(event);
        Optional<String> signatures = signatureOf(event);
        if (sender.isEmpty() || signatures.isEmpty()) {
            return false;
        }
        byte[] expected;
        try {
            expected = hmac(key(secret), signedContent(event, sender.get()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        boolean valid = false;
        for (String candidate : signatures.get().trim().split(" +")) {
            if (candidate.startsWith(VERSION)) {
                try {
                    valid |= MessageDigest.isEqual(expected, Base64.getDecoder().decode(candidate.substring(VERSION.length())));
                } catch (IllegalArgumentException e) {
                    // not base64: not a match
                }
            }
        }
        return valid;
    }

    /**
     * The exact bytes that are signed (UTF-8), documented in cloudevents-schemas/README.md.
     *
     * @throws IllegalArgumentException when the event has no time or no JSON object data, or an attribute holds a
     *                                  line break (which would make the content ambiguous)
     */
    public static byte[] signedContent(CloudEvent event, String senderId) {
        if (senderId == null || senderId.isBlank()) {
            throw new IllegalArgumentException(SENDER + " must not be blank");
        }
        if (event.getTime() == null) {
            throw new IllegalArgumentException("time is required on a signed event");
        }
        StringBuilder content = new StringBuilder(CONTENT_VERSION).append('\n');
        for (String part : new String[] {senderId, event.getId(), event.getSource().toString(), event.getType(),
                DateTimeFormatter.ISO_INSTANT.format(event.getTime().toInstant())}) {
            if (part.indexOf('\n') >= 0 || part.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a signed event's attributes must not contain line breaks");
            }
            content.append(part).append('\n');
        }
        return content.append(CanonicalJson.canonicalize(data(event))).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode data(CloudEvent event) {
        CloudEventData data = event.getData();
        if (data == null) {
            throw new IllegalArgumentException("a signed event carries JSON object data");
        }
        JsonNode node;
        if (data instanceof JsonCloudEventData json) {
            node = json.getNode();
        } else {
            try {
                node = MAPPER.readTree(data.toBytes());
            } catch (IOException e) {
                throw new IllegalArgumentException("a signed event carries JSON object data", e);
            }
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a signed event carries JSON object data");
        }
        return node;
    }

    private static byte[] key(String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("a sender's signing secret starts with " + SECRET_PREFIX);
        }
        return Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    }

    private static byte[] hmac(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static Optional<String> extension(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null ? Optional.empty() : Optional.of(value.toString()).filter(s -> !s.isBlank());
    }
}
