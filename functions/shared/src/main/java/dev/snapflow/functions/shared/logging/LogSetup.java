package dev.snapflow.functions.shared.logging;

import ch.qos.logback.classic.LoggerContext;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import org.slf4j.LoggerFactory;

/**
 * At startup: checks {@code SNAPFLOW_LOG_FORMAT} (a typo stops the function with the setting's name instead of
 * quietly logging text) and names the function in every log line: the logback context property {@code function}
 * ({@code validate}, {@code enqueue}, ...), which the JSON lines carry as a field.
 */
@Context
public class LogSetup {
    public static final String FUNCTION = "function";

    public LogSetup(@Value("${micronaut.application.name:}") String applicationName,
                    @Value("${snapflow.log.format:text}") String format) {
        if (LogFormat.normalize(format) == null) {
            throw new IllegalArgumentException("snapflow.log.format (env SNAPFLOW_LOG_FORMAT) must be text or json, not '"
                    + format + "'");
        }
        if (!applicationName.isBlank() && LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.putProperty(FUNCTION, applicationName.replaceFirst("^snapflow-", ""));
        }
    }
}
