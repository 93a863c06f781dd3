package dev.snapflow.functions.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What operators see, on the four function JVMs and the real local stack: the metrics the dashboard and the alert
 * rules (knative/observability) read are all exposed on the management ports, the latencies as histograms, and
 * with {@code SNAPFLOW_LOG_FORMAT=json} every function logs JSON lines that carry the ids of what they handle and
 * no secret.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {
    private static final Duration LONG = Duration.ofSeconds(120);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = Path.of(System.getProperty("snapflow.root", "../..")).toAbsolutePath().normalize();

    private EndToEndHarness harness;
    private WebhookReceiver webhooks;
    private final String tenant = "obs-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;
    private final List<String> processes = new ArrayList<>();

    @BeforeAll
    void runProcessesThatTouchEveryMeter(LocalStack stack) throws Exception {
        harness = EndToEndHarness.start(stack, Map.of("SNAPFLOW_LOG_FORMAT", "json",
                "SNAPFLOW_METRICS_GAUGE_INTERVAL", "1s", "SNAPFLOW_METRICS_TENANT_LABELS", tenant));
        webhooks = new WebhookReceiver();
        // one job at a time: the later processes are held back behind the first
        apiKey = harness.createTenant(tenant, 1).get("apiKey").asText();
        harness.commitRawSnapshot(new SnapshotRef(tenant, "orders", "2026-11-21"));
        // a pipeline that succeeds (with its webhook), a step that recovers after one retry, one that fails for good,
        // and a refused submission
        processes.add(harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","pipeline":"it-two-steps",
                 "params":{"it-first":{"behaviour":"succeed"},"it-second":{"behaviour":"succeed"}},
                 "webhookUrl":"%s"}""".formatted(webhooks.url("/hooks/obs"))).get("id").asText());
        processes.add(harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"it-first",
                 "params":{"behaviour":"succeed","failTimes":1}}""").get("id").asText());
        processes.add(harness.submit(apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"it-first",
                 "params":{"behaviour":"fail","errorClass":"INVALID_DATA","message":"bad rows"}}""").get("id").asText());
        assertThat(harness.post("/v1/processes", apiKey, """
                {"entity":"orders","dataVersion":"2026-11-21","action":"no-such-action","params":{}}""").statusCode())
                .isBetween(400, 499);
        for (String id : processes) {
            await().atMost(LONG).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(harness.process(apiKey, id).get("state").asText()).isIn("SUCCEEDED", "FAILED"));
        }
        await().atMost(LONG).untilAsserted(() -> assertThat(webhooks.callsTo("/hooks/obs")).hasSize(1));
    }

    @AfterAll
    void stop() {
        if (webhooks != null) {
            webhooks.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void everyMetricTheDashboardAndTheAlertRulesReadIsExposedByTheFunctions() throws Exception {
        Map<String, Set<String>> referenced = new TreeMap<>();
        for (String expression : dashboardExpressions()) {
            PromQl.metricNames(expression).forEach(name -> referenced.computeIfAbsent(name, n -> new TreeSet<>())
                    .add("dashboard: " + expression));
        }
        for (String expression : alertExpressions()) {
            PromQl.metricNames(expression).forEach(name -> referenced.computeIfAbsent(name, n -> new TreeSet<>())
                    .add("alerts: " + expression));
        }
        assertThat(referenced).as("metric names read by the dashboard and the rules").hasSizeGreaterThan(15);

        await().atMost(LONG).untilAsserted(() -> {
            Set<String> exposed = exposedNames();
            Map<String, Set<String>> missing = new TreeMap<>(referenced);
            missing.keySet().removeAll(exposed);
            assertThat(missing).as("referenced but not exposed on any function's /prometheus").isEmpty();
        });
    }

    @Test
    void latenciesAreHistogramsInSecondsAndCountersEndInTotal() throws Exception {
        String validate = scrape("validate");
        String enqueue = scrape("enqueue");
        String launch = scrape("launch");
        String callback = scrape("callback");
        assertThat(validate).contains("# TYPE snapflow_submission_duration_seconds histogram")
                .contains("snapflow_submission_duration_seconds_bucket{outcome=\"accepted\",route=\"api\",le=\"0.1\"}")
                .contains("snapflow_submission_duration_seconds_count{outcome=\"rejected\",route=\"api\"}")
                .contains("snapflow_processes_accepted_total{origin=\"api\",repeat=\"false\",tenant=\"" + tenant + "\"}");
        assertThat(enqueue).contains("snapflow_step_queue_wait_seconds_bucket{action=\"it-first\",le=\"1.0\"}");
        assertThat(launch).contains("snapflow_launch_duration_seconds_bucket{outcome=\"launched\",le=")
                .contains("snapflow_launch_outcomes_total{outcome=\"launched\"}");
        assertThat(callback).contains("snapflow_step_launch_latency_seconds_bucket{action=\"it-second\",le=")
                .contains("snapflow_process_start_latency_seconds_count ")
                .contains("snapflow_step_first_report_latency_seconds_bucket{action=\"it-first\",le=")
                .contains("snapflow_step_duration_seconds_bucket{action=\"it-first\",outcome=\"failed\",le=\"10.0\"}")
                .contains("snapflow_step_duration_seconds_count{action=\"it-second\",outcome=\"succeeded\"} 1")
                .contains("snapflow_processes_finished_total{outcome=\"failed\",tenant=\"" + tenant + "\"} 1")
                .contains("snapflow_steps_retries_total{error_class=\"TRANSIENT\"}")
                .contains("# TYPE snapflow_steps gauge")
                .contains("snapflow_steps_oldest_age_seconds{state=\"active\"}");
        // nothing is waiting once every process ended
        await().atMost(LONG).untilAsserted(() -> assertThat(scrape("callback"))
                .contains("snapflow_steps{state=\"queued\"} 0.0").contains("snapflow_steps{state=\"running\"} 0.0"));
        // what a scrape costs after these few processes (written down, not asserted: it grows with actions and labels)
        StringBuilder sizes = new StringBuilder("function\tsamples\tsnapflow samples\tbytes\n");
        Map<String, String> scrapes = Map.of("validate", validate, "enqueue", enqueue, "launch", launch, "callback", callback);
        for (String function : ControlPlane.FUNCTIONS) {
            String text = scrapes.get(function);
            sizes.append(function).append('\t').append(text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count())
                    .append('\t').append(text.lines().filter(l -> l.startsWith("snapflow_")).count())
                    .append('\t').append(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append('\n');
        }
        Files.writeString(Path.of("target", "observability-scrape-sizes.txt"), sizes);
        System.out.print(sizes);
        for (String text : List.of(validate, enqueue, launch, callback)) {
            for (String line : text.lines().filter(l -> l.startsWith("# TYPE snapflow_")).toList()) {
                String[] parts = line.split(" ");
                if (parts[3].equals("counter")) {
                    assertThat(parts[2]).as(line).endsWith("_total");
                }
            }
            // no outcome label is a Java class name
            assertThat(text.lines().filter(l -> l.startsWith("snapflow_")))
                    .noneMatch(l -> l.matches(".*outcome=\"[A-Z][A-Za-z]+\".*"));
        }
    }

    @Test
    void withTheJsonFormatEveryFunctionLogsJsonLinesWithTheIdsOfWhatItHandles() throws Exception {
        String succeeded = processes.get(0);
        Map<String, List<JsonNode>> linesOfProcess = new TreeMap<>();
        for (String function : ControlPlane.FUNCTIONS) {
            List<String> lines = Files.readAllLines(harness.workDir.resolve(function + ".log")).stream()
                    .filter(l -> l.startsWith("{")).toList();
            assertThat(lines).as(function + " logs JSON lines").isNotEmpty();
            for (String line : lines) {
                JsonNode json = EndToEndHarness.JSON.readTree(line);
                assertThat(json.has("timestamp") && json.has("level") && json.has("message") && json.has("logger"))
                        .as(line).isTrue();
                assertThat(line).doesNotContain(apiKey).doesNotContain("callback-hmac-key-for-end-to-end-tests")
                        .doesNotContain(EndToEndHarness.ADMIN_TOKEN);
                if (succeeded.equals(json.path("processId").asText())) {
                    linesOfProcess.computeIfAbsent(function, f -> new ArrayList<>()).add(json);
                }
            }
        }
        // validate accepts it, enqueue requests its jobs, launch starts them, callback applies their reports
        assertThat(linesOfProcess).containsOnlyKeys(ControlPlane.FUNCTIONS);
        linesOfProcess.forEach((function, lines) -> {
            assertThat(lines).allSatisfy(json -> {
                assertThat(json.path("function").asText()).isEqualTo(function);
                assertThat(json.path("tenant").asText()).isEqualTo(tenant);
            });
        });
        for (String function : List.of("enqueue", "launch", "callback")) {
            assertThat(linesOfProcess.get(function)).as(function).anySatisfy(json ->
                    assertThat(json.path("jobId").asText()).startsWith("sf-" + succeeded.replace("-", "")));
        }
    }

    private List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = EndToEndHarness.JSON.readTree(
                ROOT.resolve("knative/observability/grafana-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.findParents("expr").forEach(target -> expressions.add(target.get("expr").asText()));
        assertThat(expressions).as("the dashboard's queries").hasSizeGreaterThan(10);
        return expressions;
    }

    private List<String> alertExpressions() throws Exception {
        JsonNode rules = YAML.readTree(ROOT.resolve("knative/observability/alerts.yaml").toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : rules.path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.add(rule.get("expr").asText());
            }
        }
        assertThat(expressions).as("the alert rules").hasSizeGreaterThan(5);
        return expressions;
    }

    private Set<String> exposedNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String function : ControlPlane.FUNCTIONS) {
            scrape(function).lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split("[{ ]", 2)[0]).forEach(names::add);
        }
        return names;
    }

    private String scrape(String function) throws Exception {
        HttpResponse<String> response = harness.http.send(HttpRequest.newBuilder(
                URI.create(harness.plane.managementUrl(function) + "/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
