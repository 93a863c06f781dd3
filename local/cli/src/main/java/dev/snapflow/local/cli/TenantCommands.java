package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code snapflow tenant create}: a tenant and its first API key, through the admin API. */
@Command(name = "tenant", mixinStandardHelpOptions = true, description = "Manage tenants (admin).",
        subcommands = TenantCommands.Create.class)
final class TenantCommands {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a tenant; prints its API key and webhook secret (shown only once).")
    static final class Create implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "TENANT_ID", description = "letters, digits, '.', '_' or '-'") String id;
        @Option(names = "--display-name") String displayName;
        @Option(names = "--max-concurrent-jobs") Integer maxConcurrentJobs;
        @Option(names = "--url", defaultValue = "${env:SNAPFLOW_URL:-http://127.0.0.1:8080}") String url;
        @Option(names = "--admin-token", defaultValue = "${env:SNAPFLOW_ADMIN_TOKEN}",
                description = "Default: $SNAPFLOW_ADMIN_TOKEN, else the one `snapflow up` keeps in --work-dir.")
        String adminToken;
        @Option(names = "--work-dir", defaultValue = "${env:SNAPFLOW_HOME:-.snapflow}") Path workDir;
        @Option(names = "--output", defaultValue = "table") ApiOptions.Output output;

        @Override
        public Integer call() {
            ApiOptions api = new ApiOptions();
            api.url = url;
            api.apiKey = adminToken();
            ObjectNode body = ApiClient.JSON.createObjectNode().put("id", id);
            if (displayName != null) {
                body.put("displayName", displayName);
            }
            if (maxConcurrentJobs != null) {
                body.put("maxConcurrentJobs", maxConcurrentJobs);
            }
            JsonNode created = new ApiClient(api.baseUrl(), api.apiKey).post("v1/admin/tenants", body);
            PrintWriter out = spec.commandLine().getOut();
            if (output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, created);
            } else {
                out.println("Created tenant " + created.path("id").asText());
                out.println("  API key         " + created.path("apiKey").asText() + "   (export SNAPFLOW_API_KEY=...)");
                out.println("  webhook secret  " + created.path("webhookSecret").asText());
                out.println("Both are shown only now.");
                out.flush();
            }
            return 0;
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
}
