package dev.snapflow.knative;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration reference of docs/deploy.md: a table whose rows start with {@code | `ENV_NAME` |} and
 * whose third column says {@code required} or {@code optional ...}.
 */
final class DeployGuide {
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Z][A-Z0-9_]*)`\\s*\\|([^|]*)\\|([^|]*)\\|");

    record Variable(String name, String readBy, boolean optional) { }

    private DeployGuide() {
    }

    static Map<String, Variable> variables() {
        String text;
        try {
            text = Files.readString(ProjectLayout.deployGuide());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ProjectLayout.deployGuide(), e);
        }
        Map<String, Variable> variables = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                String need = m.group(3).strip().toLowerCase(Locale.ROOT);
                variables.put(m.group(1), new Variable(m.group(1), m.group(2).strip(), need.startsWith("optional")));
            }
        }
        return variables;
    }
}
