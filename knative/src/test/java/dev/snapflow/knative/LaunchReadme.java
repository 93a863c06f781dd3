package dev.snapflow.knative;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes API calls functions/launch/README.md ("### RBAC") says launch and the Spark drivers make, as
 * "group/resource verb" (core group empty): the launch engineer's statement, which the Roles must match.
 */
final class LaunchReadme {
    static final Path FILE = ProjectLayout.root().resolve("functions/launch/README.md");
    /** {@code | `batch` | `jobs` | `get`, `list` | why |} */
    private static final Pattern TABLE_ROW = Pattern.compile("^\\|\\s*`([a-z.]*|\"\")`\\s*\\|\\s*`([a-z/]+)`\\s*\\|([^|]+)\\|");
    /** {@code `pods`: `get`, `list`} in the paragraph about the drivers' service account. */
    private static final Pattern RESOURCE_VERBS = Pattern.compile("`([a-z/]+)`:\\s*((?:`[a-z]+`(?:,\\s*)?)+)");
    private static final Pattern VERB = Pattern.compile("`([a-z]+)`");

    private LaunchReadme() {
    }

    /** The calls of launch's own service account: the table of the RBAC section. */
    static Set<String> launchCalls() {
        Set<String> calls = new TreeSet<>();
        for (String line : rbacSection()) {
            Matcher row = TABLE_ROW.matcher(line);
            if (row.find()) {
                String group = row.group(1).equals("\"\"") ? "" : row.group(1);
                verbs(row.group(3)).forEach(verb -> calls.add(group + "/" + row.group(2) + " " + verb));
            }
        }
        if (calls.isEmpty()) {
            throw new AssertionError(FILE + ": no RBAC table rows (| `group` | `resource` | `verb`, ... |) found");
        }
        return calls;
    }

    /** The calls of the drivers' service account: the paragraph that starts with "The drivers' service account". */
    static Set<String> driverCalls() {
        StringBuilder paragraph = new StringBuilder();
        boolean in = false;
        for (String line : rbacSection()) {
            if (line.startsWith("The drivers' service account")) {
                in = true;
            }
            if (in && line.isBlank()) {
                break;
            }
            if (in) {
                paragraph.append(line).append(' ');
            }
        }
        Set<String> calls = new TreeSet<>();
        Matcher m = RESOURCE_VERBS.matcher(paragraph);
        while (m.find()) {
            String resource = m.group(1);
            verbs(m.group(2)).forEach(verb -> calls.add("/" + resource + " " + verb));
        }
        if (calls.isEmpty()) {
            throw new AssertionError(FILE + ": no paragraph \"The drivers' service account ...\" with `resource`: `verb`, ... found");
        }
        return calls;
    }

    private static List<String> verbs(String cell) {
        return VERB.matcher(cell).results().map(r -> r.group(1)).toList();
    }

    private static List<String> rbacSection() {
        List<String> lines;
        try {
            lines = Files.readAllLines(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE + " (launch's RBAC needs, which the Roles must match)", e);
        }
        int start = lines.indexOf("### RBAC");
        if (start < 0) {
            throw new AssertionError(FILE + " has no \"### RBAC\" section listing launch's Kubernetes API calls");
        }
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("#")) {
            end++;
        }
        return lines.subList(start + 1, end);
    }
}
