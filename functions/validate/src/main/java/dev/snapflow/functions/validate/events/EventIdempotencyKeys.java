package dev.snapflow.functions.validate.events;

import dev.snapflow.contracts.events.ProcessRequested;
import io.cloudevents.CloudEvent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The idempotency key of a process.requested event: the caller's own when it gave one, else derived from the
 * event's identity ({@code source}, {@code id}), so a redelivered event names the process it created. The derived
 * key is {@code event:sha256:} + the SHA-256 of source and id (length-prefixed, so no two pairs share an input):
 * always 77 characters, within {@link ProcessRequested#MAX_IDEMPOTENCY_KEY_LENGTH} whatever the source's length,
 * and never equal for two different events (plain {@code source:id} was cut at 128 characters, and
 * {@code a:b} + {@code c} read the same as {@code a} + {@code b:c}).
 */
public final class EventIdempotencyKeys {
    static final String DERIVED_PREFIX = "event:sha256:";

    private EventIdempotencyKeys() {
    }

    public static String of(ProcessRequested requested, CloudEvent event) {
        return requested.idempotencyKey() != null ? requested.idempotencyKey()
                : derived(event.getSource().toString(), event.getId());
    }

    static String derived(String source, String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (source.length() + ":" + source + id).getBytes(StandardCharsets.UTF_8));
            return DERIVED_PREFIX + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
