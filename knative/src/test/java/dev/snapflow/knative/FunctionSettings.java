package dev.snapflow.knative;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables a function reads: the {@code ${ENV_NAME}} and {@code ${ENV_NAME:default}}
 * placeholders in its application.yml (and in the configuration of the environments Micronaut activates on
 * Kubernetes, application-k8s.yml and application-cloud.yml, when they exist).
 */
final class FunctionSettings {
    /** An upper-case placeholder name is an environment variable; a lower-case one is a property. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{\\s*([A-Z][A-Z0-9_]*)\\s*(:|})");
    private static final List<String> CONFIG_FILES = List.of("application.yml", "application-k8s.yml", "application-cloud.yml");

    private FunctionSettings() {
    }

    static Path applicationYml(String function) {
        return ProjectLayout.functionResources(function).resolve("application.yml");
    }

    /** Variable name -> whether every placeholder naming it has a default. */
    static Map<String, Boolean> variablesRead(String function) {
        Map<String, Boolean> variables = new LinkedHashMap<>();
        CONFIG_FILES.stream()
                .map(ProjectLayout.functionResources(function)::resolve)
                .filter(Files::isRegularFile)
                .forEach(file -> read(file, variables));
        return variables;
    }

    private static void read(Path file, Map<String, Boolean> variables) {
        try {
            placeholders(Files.readString(file)).forEach((name, hasDefault) -> variables.merge(name, hasDefault,
                    Boolean::logicalAnd));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment variable placeholders in one YAML text (comments ignored): name -> has a default. */
    static Map<String, Boolean> placeholders(String text) {
        Map<String, Boolean> variables = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String content = line.strip().startsWith("#") ? "" : line;
            Matcher m = PLACEHOLDER.matcher(content);
            while (m.find()) {
                boolean hasDefault = m.group(2).equals(":");
                variables.merge(m.group(1), hasDefault, Boolean::logicalAnd);
            }
        }
        return variables;
    }
}
