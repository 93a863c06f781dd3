package dev.snapflow.functions.shared.security;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code toString} for configuration records that hold secrets: like a record's own, but every component whose name
 * says it is secret (key, secret, token, pepper, password, credential) prints as {@value #MASK}, and so does every
 * value of a map under such a name or under a key with such a name (environment maps carry AWS_SECRET_ACCESS_KEY).
 * Going by names rather than a hand-written list keeps a component added later masked too.
 */
public final class SecretMasking {
    public static final String MASK = "****";
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(key|secret|token|pepper|password|credential).*");

    private SecretMasking() {
    }

    public static String toString(Record record) {
        StringJoiner text = new StringJoiner(", ", record.getClass().getSimpleName() + "[", "]");
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                value = "?";
            }
            text.add(component.getName() + "=" + masked(SECRET_NAME.matcher(component.getName()).matches(), value));
        }
        return text.toString();
    }

    /** A secret as it may be shown: {@value #MASK} when set, {@code null} or {@code ""} as they are. */
    public static String mask(String secret) {
        return secret == null || secret.isEmpty() ? String.valueOf(secret == null ? null : "\"\"") : MASK;
    }

    private static Object masked(boolean secret, Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> shown = new TreeMap<>();
            map.forEach((k, v) -> shown.put(String.valueOf(k),
                    secret || SECRET_NAME.matcher(String.valueOf(k)).matches() ? MASK : v));
            return shown;
        }
        if (secret && value != null) {
            return value instanceof String s ? mask(s) : MASK;
        }
        return value;
    }
}
