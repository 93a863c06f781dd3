package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code snapflow tenant create}: a tenant and its first API key; {@code snapflow tenant keys list|create|revoke}:
 * a tenant's API keys. All through the admin API, with the admin token.
 */
@Command(name = "tenant", mixinStandardHelpOptions = true, description = "Manage tenants (admin).",
        subcommands = {TenantCommands.Create.class, TenantCommands.Keys.class})
final class TenantCommands {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a tenant; prints its API key and webhook secret (shown only once).")
    static final class Create implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "TENANT_ID", description = "letters, digits, '.', '_' or '-'") String id;
        @Option(names = "--display-name") String displayName;
        @Option(names = "--max-concurrent-jobs") Integer maxConcurrentJobs;
        @Mixin AdminOptions admin;

        @Override
        public Integer call() {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("id", id);
            if (displayName != null) {
                body.put("displayName", displayName);
            }
            if (maxConcurrentJobs != null) {
                body.put("maxConcurrentJobs", maxConcurrentJobs);
            }
            JsonNode created = admin.client().post("v1/admin/tenants", body);
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, created);
            } else {
                out.println("Created tenant " + created.path("id").asText());
                out.println("  API key         " + created.path("apiKey").asText() + "   (export SNAPFLOW_API_KEY=...)");
                out.println("  API key id      " + created.path("apiKeyId").asText() + "   (snapflow tenant keys revoke)");
                out.println("  webhook secret  " + created.path("webhookSecret").asText());
                out.println("Both are shown only now.");
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "List, create and revoke a tenant's API keys.",
            subcommands = {KeysList.class, KeysCreate.class, KeysRevoke.class})
    static final class Keys {
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "A tenant's API keys: id, prefix, created, last used (to the minute), revoked. Never the key.")
    static final class KeysList implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "TENANT_ID") String tenant;
        @Mixin AdminOptions admin;

        @Override
        public Integer call() {
            JsonNode keys = admin.client().get("v1/admin/tenants/" + ApiClient.encode(tenant) + "/api-keys");
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, keys);
                return 0;
            }
            String row = "%-36s  %-10s  %-25s  %-25s  %s%n";
            out.printf(row, "ID", "PREFIX", "CREATED", "LAST USED", "REVOKED");
            for (JsonNode key : keys.path("items")) {
                out.printf(row, key.path("id").asText(), key.path("prefix").asText(), key.path("createdAt").asText(),
                        key.path("lastUsedAt").asText("-"), key.path("revokedAt").asText("-"));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create another API key for a tenant; prints it (shown only once).")
    static final class KeysCreate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "TENANT_ID") String tenant;
        @Mixin AdminOptions admin;

        @Override
        public Integer call() {
            JsonNode created = admin.client().post("v1/admin/tenants/" + ApiClient.encode(tenant) + "/api-keys",
                    ApiClient.JSON.createObjectNode());
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, created);
            } else {
                out.println("Created API key " + created.path("id").asText() + " for tenant " + tenant);
                out.println("  API key  " + created.path("apiKey").asText() + "   (shown only now)");
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke an API key by its id (snapflow tenant keys list). Refused from then on; replicas "
                    + "that remembered it refuse it within 5 seconds.")
    static final class KeysRevoke implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "TENANT_ID") String tenant;
        @Parameters(index = "1", paramLabel = "KEY_ID") String keyId;
        @Mixin AdminOptions admin;

        @Override
        public Integer call() {
            ApiClient client = admin.client();
            JsonNode revoked = client.send(client.request("v1/admin/tenants/" + ApiClient.encode(tenant) + "/api-keys/"
                    + ApiClient.encode(keyId)).DELETE().build());
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, revoked);
            } else {
                out.println("Revoked API key " + revoked.path("id").asText() + " of tenant " + tenant + " at "
                        + revoked.path("revokedAt").asText());
                out.flush();
            }
            return 0;
        }
    }
}
