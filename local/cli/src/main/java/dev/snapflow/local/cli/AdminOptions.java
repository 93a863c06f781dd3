package dev.snapflow.local.cli;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The options of every admin command ({@code tenant}, {@code sender}, {@code dead-letters}): where the admin API is,
 * the admin token (flag, {@code $SNAPFLOW_ADMIN_TOKEN}, or the one {@code snapflow up} keeps in the work dir) and the
 * output format. A picocli mixin: {@code @Mixin AdminOptions admin}.
 */
final class AdminOptions {
    @Option(names = "--url", defaultValue = "${env:SNAPFLOW_URL:-http://127.0.0.1:8080}") String url;
    @Option(names = "--admin-token", defaultValue = "${env:SNAPFLOW_ADMIN_TOKEN}",
            description = "Default: $SNAPFLOW_ADMIN_TOKEN, else the one `snapflow up` keeps in --work-dir.")
    String adminToken;
    @Option(names = "--work-dir", defaultValue = "${env:SNAPFLOW_HOME:-.snapflow}") Path workDir;
    @Option(names = "--output", defaultValue = "table", description = "table or json") ApiOptions.Output output;

    ApiClient client() {
        ApiOptions api = new ApiOptions();
        api.url = url;
        return new ApiClient(api.baseUrl(), adminToken());
    }

    private String adminToken() {
        if (adminToken != null && !adminToken.isBlank()) {
            return adminToken.strip();
        }
        Path secrets = workDir.toAbsolutePath().normalize().resolve(LocalSecrets.FILE);
        if (Files.isRegularFile(secrets)) {
            return LocalSecrets.loadOrCreate(secrets.getParent()).adminToken();
        }
        throw new CliException("no admin token: pass --admin-token, set SNAPFLOW_ADMIN_TOKEN, or run `snapflow up` with this --work-dir");
    }
}
