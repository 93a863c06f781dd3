package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code snapflow dead-letters list|show|replay}: events a function gave up on ({@code dl-<n>}) and outbox rows
 * the broker refused for good ({@code outbox-<n>}), through the admin API. Replay republishes the original event
 * unchanged (same id), so the handler sees a redelivery.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "List, show and replay dead letters and set-aside events (admin).",
        subcommands = {DeadLetterCommands.ListDeadLetters.class, DeadLetterCommands.Show.class, DeadLetterCommands.Replay.class})
final class DeadLetterCommands {

    static String requireId(String id) {
        if (!id.matches("(dl|outbox)-[0-9]{1,18}")) {
            throw new CliException("ID must look like dl-12 (a dead letter) or outbox-34 (a set-aside event), not '" + id + "'");
        }
        return id;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Newest first; replayed ones only with --all.")
    static final class ListDeadLetters implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Option(names = "--limit", defaultValue = "50") int limit;
        @Option(names = "--all", description = "include dead letters replayed already") boolean all;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 1000) {
                throw new CliException("--limit must be between 1 and 1000");
            }
            JsonNode listed = admin.client().get("v1/admin/dead-letters?limit=" + limit + "&includeReplayed=" + all);
            PrintWriter out = spec.commandLine().getOut();
            if (admin.output == ApiOptions.Output.json) {
                ProcessCommands.printJson(out, listed);
                return 0;
            }
            if (listed.path("items").isEmpty()) {
                out.println("No dead letters or set-aside events.");
            }
            for (JsonNode item : listed.path("items")) {
                out.printf("%-14s %-11s %-30s %-24s %s%s%n", item.path("id").asText(), item.path("kind").asText(),
                        item.path("at").asText(), item.path("eventType").asText("-"),
                        oneLine(item.path("reason").asText()), item.path("replayedAt").isNull()
                                || item.path("replayedAt").isMissingNode() ? "" : "  (replayed)");
            }
            out.flush();
            return 0;
        }

        private static String oneLine(String reason) {
            String line = reason.replaceAll("\\s+", " ");
            return line.length() > 120 ? line.substring(0, 120) + "…" : line;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One entry with its event.")
    static final class Show implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "ID", description = "dl-<n> or outbox-<n>") String id;

        @Override
        public Integer call() {
            ProcessCommands.printJson(spec.commandLine().getOut(),
                    admin.client().get("v1/admin/dead-letters/" + requireId(id)));
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Republish the original event unchanged (same id) and mark the dead letter replayed.")
    static final class Replay implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "ID", description = "dl-<n> or outbox-<n>") String id;

        @Override
        public Integer call() {
            JsonNode replayed = admin.client().post("v1/admin/dead-letters/" + requireId(id) + "/replay",
                    ApiClient.JSON.createObjectNode());
            spec.commandLine().getOut().println("Replayed " + id + ": event " + replayed.path("eventId").asText()
                    + " (" + replayed.path("eventType").asText() + ") is published again.");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
