package dev.snapflow.contracts.storage;

import java.util.regex.Pattern;

/**
 * The one rule for what may stand between two slashes of a storage path (tenant, entity, data version,
 * output id). It is deliberately a whitelist: the same value is an S3 key segment, a Spark path, a Kafka
 * key part and a Kubernetes label value, and every one of those has its own surprises.
 *
 * <p>Every accepted value is also a valid Kubernetes label value ({@code (([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?},
 * at most 63 characters): it starts <em>and ends</em> with a letter or digit. The value itself becomes the label,
 * so operators can select a tenant's jobs by its name, rather than by a derived (hashed or mangled) form that
 * would need a second mapping; a name like {@code orders_} is refused where it enters instead of failing at launch.
 */
public final class PathSegment {
    public static final int MAX_LENGTH = 63;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");

    private PathSegment() {
    }

    /**
     * Returns {@code value} when it is safe as a path segment.
     *
     * @throws InvalidPathSegmentException naming {@code field} and the broken rule
     */
    public static String requireSafe(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidPathSegmentException(field, "must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidPathSegmentException(field, "must be at most " + MAX_LENGTH + " characters, was " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidPathSegmentException(field, "must not contain control characters");
            }
            if (c == '/' || c == '\\') {
                throw new InvalidPathSegmentException(field, "must not contain '/' or '\\'");
            }
        }
        if (value.contains("..")) {
            throw new InvalidPathSegmentException(field, "must not contain '..'");
        }
        if (!ALLOWED.matcher(value).matches()) {
            throw new InvalidPathSegmentException(field,
                    "must start and end with a letter or digit and contain only letters, digits, '.', '_' and '-'");
        }
        return value;
    }

    /** True when {@link #requireSafe} would accept the value. */
    public static boolean isSafe(String value) {
        try {
            requireSafe("value", value);
            return true;
        } catch (InvalidPathSegmentException e) {
            return false;
        }
    }
}
