package dev.snapflow.contracts.storage;

/**
 * A manifest that names a file outside its own snapshot (another tenant, entity, version or tier), a glob, or a
 * key that is not one plain object key. The message names the field (e.g. {@code files[2].key}), the key and the rule.
 */
public final class UnsafeManifestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public UnsafeManifestException(String field, String reason) {
        super(field + " " + reason);
        this.field = field;
    }

    /** Where in the manifest the offending value is, e.g. {@code files[2].key}. */
    public String field() {
        return field;
    }

    /** The message without the field name in front. */
    public String reason() {
        return getMessage().substring(field.length() + 1);
    }
}
