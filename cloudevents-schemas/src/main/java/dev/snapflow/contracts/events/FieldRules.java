package dev.snapflow.contracts.events;

import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The checks the event records' constructors share, so that a record in hand always holds valid data
 * whether it was built by a producer or read from an event. Messages name the field.
 */
final class FieldRules {
    private FieldRules() {
    }

    static <T> T required(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    static String requiredText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required and must not be blank");
        }
        return value;
    }

    /** A process id is a UUID in its canonical lower-case form, so that string equality is id equality. */
    static String requireProcessId(String field, String value) {
        requiredText(field, value);
        try {
            if (UUID.fromString(value).toString().equals(value)) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below with the field name
        }
        throw new IllegalArgumentException(field + " must be a lower-case UUID, was '" + value + "'");
    }

    static String requireS3Uri(String field, String value) {
        S3Uri.parse(field, value);
        return value;
    }

    /** Params are free JSON objects: null values are allowed, so {@code Map.copyOf} is not. */
    static Map<String, Object> copyParams(Map<String, Object> params) {
        return params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    static int requirePositive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be 1 or more, was " + value);
        }
        return value;
    }

    static String requireConcreteVersion(String field, String dataVersion) {
        if (dataVersion != null && dataVersion.equals(SnapshotRef.LATEST)) {
            throw new IllegalArgumentException(field + " must be a concrete data version, not '" + dataVersion + "'");
        }
        return dataVersion;
    }
}
