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
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code snapflow sender register|list|revoke}: systems that send process.requested / snapshot.published through the
 * broker or Kafka, registered for the tenants they may act for (admin API {@code /v1/admin/senders}). Such a system
 * signs every event with its secret (cloudevents-schemas/README.md, "Sending events from other systems").
 */
@Command(name = "sender", mixinStandardHelpOptions = true, description = "Manage event senders (admin).",
        subcommands = {SenderCommands.Register.class, SenderCommands.ListSenders.class, SenderCommands.Revoke.class})
final class SenderCommands {

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register a sender for one or more tenants; prints its signing secret (shown only once).")
    static final class Register implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "SENDER_ID", description = "the sending system's name, e.g. acme-warehouse") String id;
        @Option(names = "--tenant", required = true, description = "a tenant it may act for (repeat for several)")
        List<String> tenants;

        @Override
        public Integer call() {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("id", id);
            tenants.forEach(body.putArray("tenants")::add);
            JsonNode registered = admin.client().post("v1/admin/senders", body);
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, registered);
            } else {
                out.println("Registered sender " + registered.path("id").asText() + " for " + String.join(", ", tenants));
                out.println("  signing secret  " + registered.path("signingSecret").asText());
                out.println("Shown only now. Sign each event with it (snapflowsender/snapflowsig, see the event catalog).");
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List senders: id, tenants, created, last used, revoked.")
    static final class ListSenders implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;

        @Override
        public Integer call() {
            JsonNode listed = admin.client().get("v1/admin/senders");
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, listed);
                return 0;
            }
            out.printf("%-32s %-30s %-24s %-24s %s%n", "ID", "TENANTS", "CREATED", "LAST USED", "REVOKED");
            for (JsonNode sender : listed.path("items")) {
                List<String> names = new java.util.ArrayList<>();
                sender.path("tenants").forEach(t -> names.add(t.asText()));
                out.printf("%-32s %-30s %-24s %-24s %s%n", sender.path("id").asText(), String.join(",", names),
                        sender.path("createdAt").asText("-"), sender.path("lastUsedAt").asText("-"),
                        sender.path("revokedAt").asText("-"));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a sender: its events are refused from then on (within 5 seconds).")
    static final class Revoke implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "SENDER_ID") String id;

        @Override
        public Integer call() {
            ApiClient client = admin.client();
            JsonNode revoked = client.send(client.request("v1/admin/senders/" + ApiClient.encode(id)).DELETE().build());
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, revoked);
            } else {
                out.println("Revoked sender " + revoked.path("id").asText() + " at " + revoked.path("revokedAt").asText());
                out.flush();
            }
            return 0;
        }
    }
}
