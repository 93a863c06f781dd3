package dev.snapflow.local.stack;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A {@code jdbc:postgresql://hosts/database?parameters} URL split into the server, the database and the parameters,
 * so the stack can reach other databases on the same server (to create or drop its own).
 *
 * @param hosts {@code host[:port][,host[:port]...]} as written
 * @param database empty when the URL names none
 * @param parameters in their written order, values still URL-encoded
 */
record PostgresServerUrl(String hosts, String database, Map<String, String> parameters) {

    private static final String PREFIX = "jdbc:postgresql://";

    PostgresServerUrl {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** @param field what the URL was configured as, for the error message */
    static PostgresServerUrl parse(String url, String field) {
        if (url == null || !url.startsWith(PREFIX)) {
            throw new IllegalArgumentException(field + " must start with " + PREFIX + ", was '" + redact(url) + "'");
        }
        String rest = url.substring(PREFIX.length());
        int query = rest.indexOf('?');
        String beforeQuery = query < 0 ? rest : rest.substring(0, query);
        int slash = beforeQuery.indexOf('/');
        String hosts = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
        String database = slash < 0 ? "" : beforeQuery.substring(slash + 1);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException(field + " names no host: '" + redact(url) + "'");
        }
        if (database.contains("/")) {
            throw new IllegalArgumentException(field + " has more than one path segment: '" + redact(url) + "'");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query >= 0) {
            for (String pair : rest.substring(query + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                parameters.put(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
            }
        }
        return new PostgresServerUrl(hosts, URLDecoder.decode(database, StandardCharsets.UTF_8), parameters);
    }

    /** The user of the URL, or like libpq the operating system user. */
    String user() {
        String user = parameters.get("user");
        return user == null || user.isEmpty() ? System.getProperty("user.name") : decoded(user);
    }

    String password() {
        String password = parameters.get("password");
        return password == null ? "" : decoded(password);
    }

    /** The same server and non-credential parameters, for another database. */
    String jdbcUrlFor(String otherDatabase) {
        String query = parameters.entrySet().stream()
                .filter(entry -> !entry.getKey().equals("user") && !entry.getKey().equals("password"))
                .map(entry -> entry.getValue().isEmpty() ? entry.getKey() : entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("&"));
        return PREFIX + hosts + "/" + otherDatabase + (query.isEmpty() ? "" : "?" + query);
    }

    /** For messages: the URL without a password. */
    String describe() {
        return PREFIX + hosts + "/" + database + " as user " + user();
    }

    private static String decoded(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    static String redact(String url) {
        return url == null ? null : url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
