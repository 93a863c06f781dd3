package dev.snapflow.functions.shared.logging;

import ch.qos.logback.core.PropertyDefinerBase;

import java.util.Locale;

/**
 * Tells logback.xml which appender to use, from {@code SNAPFLOW_LOG_FORMAT}: {@code text} (the default, for people
 * reading a terminal or {@code .snapflow/logs/}) or {@code json} (one JSON object per line, for a log collector; the
 * Knative Services set it). Read by logback before the application context exists, so it reads the environment
 * itself; {@link LogSetup} checks the same setting at startup and stops the function on a value that is neither.
 */
public class LogFormat extends PropertyDefinerBase {
    static final String TEXT = "text";
    static final String JSON = "json";

    @Override
    public String getPropertyValue() {
        String format = normalize(System.getenv("SNAPFLOW_LOG_FORMAT"));
        if (format == null) {
            addWarn("SNAPFLOW_LOG_FORMAT must be text or json; logging text until the function stops at startup");
            return TEXT;
        }
        return format;
    }

    /** {@code text} or {@code json} for a valid setting (blank means text), null for anything else. */
    static String normalize(String value) {
        if (value == null || value.isBlank()) {
            return TEXT;
        }
        String format = value.strip().toLowerCase(Locale.ROOT);
        return format.equals(TEXT) || format.equals(JSON) ? format : null;
    }
}
