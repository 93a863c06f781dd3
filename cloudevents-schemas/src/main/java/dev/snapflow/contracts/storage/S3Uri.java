package dev.snapflow.contracts.storage;

import java.util.Objects;

/**
 * An object (or prefix) address in the form {@code s3://bucket/key}, the form job arguments and events use
 * for manifests and output prefixes. Bucket names follow the S3 naming rule (3-63 lower-case letters,
 * digits, '.', '-'); the key is bucket-relative and never starts with '/'.
 */
public record S3Uri(String bucket, String key) {
    private static final String SCHEME = "s3://";

    public S3Uri {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("not an S3 bucket name: '" + bucket + "'");
        }
        if (key.isEmpty() || key.startsWith("/")) {
            throw new IllegalArgumentException("an S3 key is not empty and does not start with '/': '" + key + "'");
        }
    }

    /**
     * @param field the name of the argument or field that held the value, for the error message
     * @throws IllegalArgumentException naming {@code field} when the value is not {@code s3://bucket/key}
     */
    public static S3Uri parse(String field, String value) {
        if (value == null || !value.startsWith(SCHEME)) {
            throw new IllegalArgumentException(field + " must be an s3://bucket/key URI, was '" + value + "'");
        }
        int slash = value.indexOf('/', SCHEME.length());
        if (slash < 0) {
            throw new IllegalArgumentException(field + " must be an s3://bucket/key URI, was '" + value + "'");
        }
        try {
            return new S3Uri(value.substring(SCHEME.length(), slash), value.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be an s3://bucket/key URI (" + e.getMessage() + ")", e);
        }
    }

    /** The JSON-schema pattern equivalent of {@link #parse}, kept beside it so the two agree. */
    public static final String PATTERN = "^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^/].*$";

    @Override
    public String toString() {
        return SCHEME + bucket + "/" + key;
    }
}
