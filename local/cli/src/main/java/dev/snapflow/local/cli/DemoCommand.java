package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The one-command demo: starts Snapflow (stack + four functions), publishes a generated raw orders snapshot,
 * creates the demo tenant, runs the refresh pipeline (ingest → clean → aggregate, the Spark job's example params
 * for the orders) with a live progress view, prints the gold output and each step's numbers, and stops
 * everything again. Exits 1 when the process did not succeed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start Snapflow on this machine, run the refresh pipeline on generated orders, report, stop.")
final class DemoCommand implements Callable<Integer> {
    static final String ENTITY = "orders";
    static final String PIPELINE = "refresh";
    static final List<String> STEPS = List.of("ingest", "clean", "aggregate");

    @Mixin
    StackOptions stackOptions;

    @Option(names = "--rows", defaultValue = "3000000", description = "Rows of generated orders (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated orders (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--show", defaultValue = "15", description = "Gold rows to print (default: ${DEFAULT-VALUE}).")
    int show;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rows < 1) {
            throw new CliException("--rows must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        long demoStarted = System.nanoTime();
        out.println("Starting Snapflow (Kafka, S3 API, PostgreSQL and the four functions)...");
        out.flush();
        try (RunningStack running = RunningStack.start(stackOptions)) {
            running.printEndpoints(out);
            long upAt = System.nanoTime();
            try (S3Client s3 = running.stack().s3().newClient()) {
                String dataVersion = "demo-" + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                SnapshotRef ref = new SnapshotRef(DemoTenant.ID, ENTITY, dataVersion);
                out.printf("%nGenerating %,d orders and publishing them as raw snapshot %s/%s/%s ...%n", rows,
                        ref.tenant(), ref.entity(), ref.dataVersion());
                out.flush();
                long publishStarted = System.nanoTime();
                PublishedSnapshot snapshot = new SnapshotPublisher(s3, running.stack().s3().bucket())
                        .publishGenerated(ref, OrdersSpec.ofRows(seed, rows));
                out.printf("  committed %s (%d files) in %s%n", snapshot.manifestUri(), snapshot.manifest().files().size(),
                        seconds(System.nanoTime() - publishStarted));

                URI api = URI.create(running.apiUrl());
                String apiKey = DemoTenant.apiKey(new ApiClient(api, running.secrets().adminToken()),
                        running.stack().workDir());
                ApiClient client = new ApiClient(api, apiKey);
                JsonNode accepted = client.post("/v1/processes", refreshRequest(dataVersion));
                String processId = accepted.path("id").asText();
                out.printf("%nSubmitted pipeline %s as process %s (tenant %s). Watching:%n", PIPELINE, processId, DemoTenant.ID);
                out.flush();
                JsonNode process = new ProcessWatcher(client, out, ProcessWatcher.interactiveTerminal(),
                        Duration.ofSeconds(1)).watch(processId);

                out.println();
                StepReport.print(process, out);
                out.println(StepReport.whereTheLogsAre(process));
                boolean succeeded = "SUCCEEDED".equals(process.path("state").asText());
                if (succeeded) {
                    out.printf("%nGold output (%s), first %d rows:%n", process.path("resultManifest").asText(), show);
                    long goldRows = OutputTable.print(s3, process.path("resultManifest").asText(), show, out);
                    out.printf("  (%,d rows in total)%n", goldRows);
                } else {
                    out.printf("%nThe process %s: %s%n", process.path("state").asText().toLowerCase(),
                            process.path("error").path("message").asText("(no error message)"));
                }
                out.printf("%nDemo %s in %s (Snapflow start %s, then %s). Logs: %s (functions), %s (Spark jobs)%n",
                        succeeded ? "finished" : "FAILED", seconds(System.nanoTime() - demoStarted),
                        seconds(upAt - demoStarted), seconds(System.nanoTime() - upAt), running.logsDir(),
                        running.stack().workDir().resolve("jobs"));
                out.println("Stopping Snapflow... (its data stays in " + running.stack().workDir() + "; run `bin/snapflow up`"
                        + " to keep exploring, with SNAPFLOW_API_KEY=$(cat " + running.stack().workDir().resolve(DemoTenant.KEY_FILE)
                        + ") for `bin/snapflow list`)");
                out.flush();
                return succeeded ? 0 : 1;
            }
        }
    }

    ObjectNode refreshRequest(String dataVersion) throws Exception {
        ProjectLayout layout = ProjectLayout.locate();
        ObjectNode params = ApiClient.JSON.createObjectNode();
        for (String action : STEPS) {
            params.set(action, ApiClient.JSON.readTree(layout.exampleParams(action)));
        }
        ObjectNode request = ApiClient.JSON.createObjectNode();
        request.put("entity", ENTITY);
        request.put("dataVersion", dataVersion);
        request.put("pipeline", PIPELINE);
        request.set("params", params);
        return request;
    }

    static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }
}
