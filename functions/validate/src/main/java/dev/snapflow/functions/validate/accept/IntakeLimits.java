package dev.snapflow.functions.validate.accept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bounds every request so that each event derived from it fits the broker's message limit and each value fits
 * PostgreSQL, before anything is stored: an oversized request would otherwise make a process.accepted or
 * job.requested the broker refuses, and a NUL character a row the database refuses (SQLState 22021/22P05).
 *
 * <p>The events derived from a request (process.accepted, job.requested, the process's outcome) carry its params
 * at most once plus fields of bounded size (ids, paths, the webhook URL), so params up to {@link #MAX_PARAMS_BYTES}
 * keep each of them far below Kafka's default 1 MiB, whatever {@code SNAPFLOW_MAX_REQUEST_BYTES} allows.
 */
public final class IntakeLimits {
    /** Serialized params, in UTF-8 bytes. */
    public static final int MAX_PARAMS_BYTES = 256 * 1024;
    /** Characters of a webhook URL (browsers and proxies agree on about 2,000). */
    public static final int MAX_WEBHOOK_URL_CHARS = 2048;
    private static final ObjectMapper JSON = new ObjectMapper();

    private IntakeLimits() {
    }

    /** @throws RequestRejected 413 naming {@code params} when too large, 422 naming the field holding a NUL */
    public static void check(ProcessRequest request, String idempotencyKey) {
        if (idempotencyKey != null && idempotencyKey.indexOf('\u0000') >= 0) {
            throw nul("Idempotency-Key");
        }
        for (Map.Entry<String, String> field : textFields(request).entrySet()) {
            if (field.getValue().indexOf('\u0000') >= 0) {
                throw nul(field.getKey());
            }
        }
        if (request.webhookUrl() != null && request.webhookUrl().length() > MAX_WEBHOOK_URL_CHARS) {
            throw RequestRejected.unprocessable("webhook_url_too_long", "webhookUrl",
                    "must be at most " + MAX_WEBHOOK_URL_CHARS + " characters");
        }
        JsonNode params = request.params();
        if (params == null) {
            return;
        }
        String withNul = fieldWithNul(params, "params");
        if (withNul != null) {
            throw nul(withNul);
        }
        int size;
        try {
            size = JSON.writeValueAsString(params).getBytes(StandardCharsets.UTF_8).length;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw RequestRejected.unprocessable("invalid_params", "params", "cannot be serialized: " + e.getOriginalMessage());
        }
        if (size > MAX_PARAMS_BYTES) {
            throw new RequestRejected(413, "Request too large", "params_too_large", "params",
                    "are " + size + " bytes serialized; at most " + MAX_PARAMS_BYTES
                            + " fit in the events a process is made of (the broker's message limit)");
        }
    }

    /** The request's text fields that are set, by name. */
    private static Map<String, String> textFields(ProcessRequest request) {
        Map<String, String> fields = new TreeMap<>();
        put(fields, "entity", request.entity());
        put(fields, "dataVersion", request.dataVersion());
        put(fields, "action", request.action());
        put(fields, "pipeline", request.pipeline());
        put(fields, "webhookUrl", request.webhookUrl());
        return fields;
    }

    private static void put(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    /** The path of the first field name or text value holding a NUL, or null. */
    private static String fieldWithNul(JsonNode node, String path) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\u0000') >= 0 ? path : null;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String at = path + "." + field.getKey();
                if (field.getKey().indexOf('\u0000') >= 0) {
                    return at;
                }
                String found = fieldWithNul(field.getValue(), at);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = fieldWithNul(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static RequestRejected nul(String field) {
        return RequestRejected.unprocessable("nul_character", field.replace('\u0000', '?'),
                "must not contain the NUL character (U+0000), which cannot be stored");
    }
}
