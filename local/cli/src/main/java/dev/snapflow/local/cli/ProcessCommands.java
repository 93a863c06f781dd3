package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The process commands: submit, status, list, cancel, watch (the public API, as a user's program uses it). */
final class ProcessCommands {
    private ProcessCommands() {
    }

    static String processPath(String id) {
        if (id == null || id.isBlank()) {
            throw new CliException("a process id is required");
        }
        return "v1/processes/" + ApiClient.encode(id.strip());
    }

    static void printJson(PrintWriter out, JsonNode node) {
        try {
            out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (IOException e) {
            throw new CliException("cannot print JSON: " + e.getMessage());
        }
        out.flush();
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a process (an action or a pipeline).")
    static final class Submit implements Callable<Integer> {
        @Mixin ApiOptions api;
        @Spec CommandSpec spec;

        @Option(names = "--entity", required = true, description = "The entity, e.g. orders.")
        String entity;

        @Option(names = "--data-version", defaultValue = "latest", description = "The input snapshot's version (default: ${DEFAULT-VALUE}).")
        String dataVersion;

        static final class Target {
            @Option(names = "--action", required = true, description = "A single action, e.g. ingest.") String action;
            @Option(names = "--pipeline", required = true, description = "A pipeline, e.g. refresh.") String pipeline;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        @Option(names = "--params", description = "Params as JSON, or @file with JSON (a pipeline's are keyed by action).")
        String params;

        @Option(names = "--webhook-url", description = "Called (signed) when the process ends.")
        String webhookUrl;

        @Option(names = "--idempotency-key", description = "Submitting again with the same key returns the same process.")
        String idempotencyKey;

        @Option(names = "--watch", description = "Follow the process until it ends.")
        boolean watch;

        @Override
        public Integer call() throws Exception {
            ApiClient client = api.client();
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.put("entity", entity);
            body.put("dataVersion", dataVersion);
            if (target.action != null) {
                body.put("action", target.action);
            } else {
                body.put("pipeline", target.pipeline);
            }
            if (params != null) {
                body.set("params", parseParams(params));
            }
            if (webhookUrl != null) {
                body.put("webhookUrl", webhookUrl);
            }
            HttpRequest.Builder request = client.request("v1/processes").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
            if (idempotencyKey != null) {
                request.header("Idempotency-Key", idempotencyKey);
            }
            JsonNode accepted = client.send(request.build());
            PrintWriter out = spec.commandLine().getOut();
            if (!watch) {
                if (api.json()) {
                    printJson(out, accepted);
                } else {
                    out.printf("Submitted process %s (%s)%n", accepted.path("id").asText(), accepted.path("state").asText());
                }
                return 0;
            }
            return Watch.follow(client, accepted.path("id").asText(), api.json(), out);
        }

        static JsonNode parseParams(String value) {
            String json = value;
            if (value.startsWith("@")) {
                Path file = Path.of(value.substring(1));
                if (!Files.isRegularFile(file)) {
                    throw new CliException("--params: no such file: " + file);
                }
                try {
                    json = Files.readString(file);
                } catch (IOException e) {
                    throw new CliException("--params: cannot read " + file + ": " + e.getMessage());
                }
            }
            try {
                JsonNode node = ApiClient.JSON.readTree(json);
                if (node == null || !node.isObject()) {
                    throw new CliException("--params must be a JSON object");
                }
                return node;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CliException("--params is not valid JSON: " + e.getOriginalMessage());
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show a process: state, steps, rows, times, outputs.")
    static final class Status implements Callable<Integer> {
        @Mixin ApiOptions api;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PROCESS_ID") String id;

        @Override
        public Integer call() {
            JsonNode process = api.client().get(processPath(id));
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                printJson(out, process);
            } else {
                StepReport.print(process, out);
                if (process.hasNonNull("resultManifest")) {
                    out.println("Result: " + process.path("resultManifest").asText());
                }
                if (process.hasNonNull("error")) {
                    out.println("Error: " + process.path("error").path("errorClass").asText() + ": "
                            + process.path("error").path("message").asText());
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List processes, newest first.")
    static final class ListProcesses implements Callable<Integer> {
        @Mixin ApiOptions api;
        @Spec CommandSpec spec;

        @Option(names = "--entity") String entity;
        @Option(names = "--state") String state;
        @Option(names = "--limit", defaultValue = "20") int limit;
        @Option(names = "--cursor", description = "nextCursor of a previous page") String cursor;

        @Override
        public Integer call() {
            List<String> query = new ArrayList<>();
            query.add("limit=" + limit);
            if (entity != null) {
                query.add("entity=" + ApiClient.encode(entity));
            }
            if (state != null) {
                query.add("state=" + ApiClient.encode(state));
            }
            if (cursor != null) {
                query.add("cursor=" + ApiClient.encode(cursor));
            }
            JsonNode page = api.client().get("v1/processes?" + String.join("&", query));
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                printJson(out, page);
                return 0;
            }
            out.printf("%-36s  %-10s  %-12s  %-24s  %-18s  %s%n", "id", "state", "entity", "data version", "action/pipeline", "created");
            for (JsonNode process : page.path("items")) {
                out.printf("%-36s  %-10s  %-12s  %-24s  %-18s  %s%n", process.path("id").asText(),
                        process.path("state").asText(), process.path("entity").asText(),
                        process.path("dataVersion").asText(),
                        process.hasNonNull("pipeline") ? process.path("pipeline").asText() : process.path("action").asText(),
                        process.path("createdAt").asText());
            }
            if (page.hasNonNull("nextCursor")) {
                out.println("more: --cursor " + page.path("nextCursor").asText());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a process (its running job is stopped).")
    static final class Cancel implements Callable<Integer> {
        @Mixin ApiOptions api;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PROCESS_ID") String id;
        @Option(names = "--reason") String reason;

        @Override
        public Integer call() {
            ObjectNode body = ApiClient.JSON.createObjectNode();
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode answer = api.client().post(processPath(id) + "/cancel", body);
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                printJson(out, answer == null ? ApiClient.JSON.createObjectNode() : answer);
            } else {
                out.println("Cancelled process " + id.strip());
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Follow a process with a progress bar per step until it ends; exit 0 only if it SUCCEEDED.")
    static final class Watch implements Callable<Integer> {
        @Mixin ApiOptions api;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PROCESS_ID") String id;

        @Override
        public Integer call() throws InterruptedException {
            processPath(id);
            return follow(api.client(), id.strip(), api.json(), spec.commandLine().getOut());
        }

        static int follow(ApiClient client, String id, boolean json, PrintWriter out) throws InterruptedException {
            JsonNode process;
            if (json) {
                // No bars in JSON mode: only the final process, for scripts.
                process = new ProcessWatcher(client, new PrintWriter(PrintWriter.nullWriter()), false,
                        Duration.ofSeconds(1)).watch(id);
                printJson(out, process);
            } else {
                process = new ProcessWatcher(client, out, ProcessWatcher.interactiveTerminal(), Duration.ofSeconds(1)).watch(id);
                out.println();
                StepReport.print(process, out);
                out.println(StepReport.whereTheLogsAre(process));
                out.flush();
            }
            return "SUCCEEDED".equals(process.path("state").asText()) ? 0 : 1;
        }
    }
}
