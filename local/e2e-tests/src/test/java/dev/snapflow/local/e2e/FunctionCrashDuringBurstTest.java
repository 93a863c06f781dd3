package dev.snapflow.local.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.functions.it.job.TestJobRuns;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.controlplane.LocalWiring;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A function crashes (SIGKILL) in the middle of a burst and is started again: every accepted process still ends,
 * and no step attempt runs its job twice or not at all. The jobs are TestJob (functions/integration-tests), not
 * Spark: it starts in about a second, and each start leaves a marker object, so job starts can be counted.
 * Its own control plane (TestJob's action catalog) on the stack the other end-to-end tests share.
 */
// Before the classes sharing RunningSnapflow (junit-platform.properties): its own control plane (TestJob's catalog, functions killed and restarted), stopped in @AfterAll.
@Order(1)
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FunctionCrashDuringBurstTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "crash-admin-token-0123456789abcdef0123456789";
    private static final int BURST = 50;
    private static final int TENANT_LIMIT = 4;
    /** The kill comes once this many step attempts have succeeded: the burst is flowing, most of it still ahead. */
    private static final int KILL_AFTER_SUCCEEDED_ATTEMPTS = 10;
    /** About 2 minutes on an idle 2-core machine; generous, as other builds may share the machine. */
    private static final Duration ALL_TERMINAL_TIMEOUT = Duration.ofMinutes(10);
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Path root = Path.of(System.getProperty("snapflow.root", "../..")).toAbsolutePath().normalize();
    private ControlPlane plane;
    private S3Client s3;

    FunctionCrashDuringBurstTest(LocalStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    void startTheControlPlaneWithTestJob() throws Exception {
        Path workDir = Files.createTempDirectory("snapflow-crash-");
        LocalWiring wiring = new LocalWiring(stack.database().jdbcUrl(), stack.database().username(),
                stack.database().password(), stack.kafka().bootstrapServers(), stack.s3().endpoint().toString(),
                stack.s3().region(), stack.s3().bucket(), stack.s3().accessKey(), stack.s3().secretKey(), ADMIN_TOKEN,
                "crash-callback-hmac-key-0123456789abcdef0123456789", "crash-api-key-pepper-0123456789abcdef0123456789",
                TestJobRuns.classpathFrom(System.getProperty("java.class.path")), workDir.resolve("jobs"));
        Map<String, String> common = new HashMap<>(wiring.common());
        common.put("SNAPFLOW_ACTION_CATALOG", TestJobRuns.writeCatalog(workDir).toString());
        common.put("SNAPFLOW_OUTBOX_RELAY_INTERVAL", "500ms");
        Map<String, Map<String, String>> perFunction = wiring.perFunction();
        // As functions/integration-tests runs TestJob: short retry backoff, a sweep every 500 ms, 6 job JVMs at most.
        perFunction.get("callback").putAll(Map.of("SNAPFLOW_RETRY_BASE_DELAY", "500ms", "SNAPFLOW_RETRY_MAX_DELAY", "2s",
                "SNAPFLOW_WEBHOOK_BASE_DELAY", "500ms"));
        perFunction.get("launch").put("SNAPFLOW_LOCAL_MAX_JOBS", "6");
        perFunction.get("enqueue").put("SNAPFLOW_ENQUEUE_SWEEP_INTERVAL", "500ms");
        plane = ControlPlane.start(new ControlPlane.Settings(root.resolve("functions"), workDir.resolve("logs"), common,
                perFunction, Duration.ofMinutes(3)), ControlPlane.FUNCTIONS);
        s3 = stack.s3().newClient();
    }

    @AfterAll
    void stopTheControlPlane() {
        if (plane != null) {
            plane.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    /**
     * launch: its job JVMs outlive it, and its claims (one job directory per job id) must keep the requests Kafka
     * delivers again to the new instance from starting a job twice. enqueue: it dispatches under the tenant's row
     * lock and writes job.requested through the outbox, so a crash mid-dispatch must neither lose nor repeat a job.
     * Left out, to keep the module well under 10 minutes (each burst is 100 job JVMs): callback (TestJob does not
     * retry a report, unlike the Spark job's HttpStatusReporter, so every job that reports while callback is down
     * dies and its process FAILS; measured: 8 of 50) and validate (a submission refused while it is down is simply
     * not accepted; its crash between commit and publish has its own test in functions/integration-tests).
     */
    @ParameterizedTest(name = "{0} killed mid-burst")
    @ValueSource(strings = {"launch", "enqueue"})
    void aFunctionKilledDuringABurstAndStartedAgainLeavesEveryProcessTerminalWithOneJobStartPerAttempt(String function)
            throws Exception {
        String tenant = "crash-" + function + "-" + UUID.randomUUID().toString().substring(0, 6);
        String apiKey = createTenant(tenant);
        new SnapshotPublisher(s3, stack.s3().bucket())
                .publishGenerated(new SnapshotRef(tenant, "orders", "2026-11-21"), new OrdersSpec(7, 50, 1));

        long begin = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> sends = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            sends.add(http.sendAsync(submission(apiKey), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        double submitted = seconds(begin);
        List<String> accepted = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> send : sends) {
            HttpResponse<String> response = send.join();
            if (response.statusCode() == 201) {
                accepted.add(JSON.readTree(response.body()).path("id").asText());
            } else {
                refused.add(response.statusCode() + " " + response.body());
            }
        }
        assertThat(refused).as("validate runs throughout: every submission is accepted").isEmpty();

        await("the burst flowing (" + KILL_AFTER_SUCCEEDED_ATTEMPTS + " attempts succeeded, jobs in flight)")
                .atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> attemptsOf(tenant).getOrDefault("SUCCEEDED", 0) >= KILL_AFTER_SUCCEEDED_ATTEMPTS
                        && attemptsOf(tenant).entrySet().stream().anyMatch(e -> !TERMINAL.contains(e.getKey())));
        double killedAt = seconds(begin);
        Map<String, Integer> atKill = attemptsOf(tenant);
        plane.function(function).kill();
        plane.restart(function, Map.of());
        double restartedAt = seconds(begin);

        await("every accepted process terminal").atMost(ALL_TERMINAL_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(byState(processStates(tenant).values().stream()
                        .filter(end -> !TERMINAL.contains(end.state())).toList()))
                        .as("accepted processes not terminal, by state").isEmpty());
        double terminalAt = seconds(begin);

        Map<String, ProcessEnd> ends = processStates(tenant);
        assertThat(ends.keySet()).as("the tenant's processes are exactly the accepted ones").containsExactlyInAnyOrderElementsOf(accepted);
        List<String> jobIds = jobIdsOf(tenant);
        Map<String, Integer> starts = TestJobRuns.startsPerJob(s3, stack.s3().bucket());
        Map<String, Integer> startsOfOurJobs = starts.entrySet().stream()
                .filter(e -> accepted.stream().anyMatch(id -> e.getKey().startsWith("sf-" + id.replace("-", ""))))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Map<String, Long> endStates = byState(ends.values());
        String line = "CRASH-BURST %s: %d accepted in %.1f s; killed at %.1f s (attempts then %s), healthy again at %.1f s; all terminal at %.1f s %s; %d attempts for %d steps"
                .formatted(function, accepted.size(), submitted, killedAt, atKill, restartedAt, terminalAt, endStates,
                        jobIds.size(), 2 * accepted.size());
        System.out.println(line);
        Files.writeString(Path.of("target", "crash-during-burst.txt"), line + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);

        assertThat(jobIds).as("step attempts").isNotEmpty().allSatisfy(job ->
                assertThat(starts.getOrDefault(job, 0)).as("starts of job " + job).isEqualTo(1));
        assertThat(startsOfOurJobs.keySet()).as("jobs started without an attempt row").isSubsetOf(jobIds);
        assertThat(ends.values()).as("how the processes ended").allSatisfy(end ->
                assertThat(end.state()).as(end.toString()).isEqualTo("SUCCEEDED"));
    }

    private HttpRequest submission(String apiKey) {
        return HttpRequest.newBuilder(api("/v1/processes")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"entity":"orders","dataVersion":"2026-11-21","pipeline":"it-two-steps",
                         "params":{"it-first":{"behaviour":"succeed"},"it-second":{"behaviour":"succeed"}}}"""))
                .build();
    }

    private String createTenant(String id) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(api("/v1/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"maxConcurrentJobs\":" + TENANT_LIMIT + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).path("apiKey").asText();
    }

    private URI api(String path) {
        return URI.create(plane.baseUrl("validate") + path);
    }

    private record ProcessEnd(String id, String state, String errorClass, String errorMessage) {
    }

    private Map<String, ProcessEnd> processStates(String tenant) throws Exception {
        Map<String, ProcessEnd> states = new HashMap<>();
        try (Connection connection = stack.database().openConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id, state, error_class, error_message FROM processes WHERE tenant_id = ?")) {
            select.setString(1, tenant);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String id = row.getString("id");
                    states.put(id, new ProcessEnd(id, row.getString("state"), row.getString("error_class"),
                            row.getString("error_message")));
                }
            }
        }
        return states;
    }

    private static Map<String, Long> byState(java.util.Collection<ProcessEnd> ends) {
        return ends.stream().collect(Collectors.groupingBy(ProcessEnd::state, TreeMap::new, Collectors.counting()));
    }

    /** The tenant's step attempts by state. */
    private Map<String, Integer> attemptsOf(String tenant) throws Exception {
        Map<String, Integer> byState = new TreeMap<>();
        try (Connection connection = stack.database().openConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT a.state, count(*) FROM attempts a JOIN processes p ON p.id = a.process_id
                     WHERE p.tenant_id = ? GROUP BY a.state""")) {
            select.setString(1, tenant);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    byState.put(row.getString(1), row.getInt(2));
                }
            }
        }
        return byState;
    }

    private List<String> jobIdsOf(String tenant) throws Exception {
        List<String> jobIds = new ArrayList<>();
        try (Connection connection = stack.database().openConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT a.job_id FROM attempts a JOIN processes p ON p.id = a.process_id WHERE p.tenant_id = ?")) {
            select.setString(1, tenant);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    jobIds.add(row.getString(1));
                }
            }
        }
        return jobIds;
    }

    /**
     * TestJob's class path: this test class path (functions-integration-tests and the libraries it brings) without
     * the test runner and this module's own classes.
     */
    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
