package dev.snapflow.local.e2e.healing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.functions.it.job.TestJobRuns;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.controlplane.LocalWiring;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
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
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults the reconciler repairs (issue 13, items 2 and 8), on the real stack with TestJob (it starts in about a
 * second and leaves a marker per start, so job runs are counted): a job killed without a report, a final report
 * lost while callback is down, a process.accepted lost in the broker. Each asserts that no accepted process is
 * lost, no attempt's job ran twice, every process is terminal, and records the seconds from recovery to all
 * terminal in target/reconcile-faults.txt. Short deadlines (seconds) keep it well under a minute per fault.
 */
// Before the classes sharing RunningSnapflow (junit-platform.properties): its own control plane, stopped in @AfterAll.
@Order(3)
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcilerFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "faults-admin-token-0123456789abcdef0123456789";
    private static final Duration TERMINAL_TIMEOUT = Duration.ofMinutes(3);
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Path root = Path.of(System.getProperty("snapflow.root", "../..")).toAbsolutePath().normalize();
    private Path jobsDir;
    private ControlPlane plane;
    private S3Client s3;

    ReconcilerFaultsTest(LocalStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    void startTheControlPlaneWithShortDeadlines() throws Exception {
        Path workDir = Files.createTempDirectory("snapflow-faults-");
        jobsDir = workDir.resolve("jobs");
        LocalWiring wiring = new LocalWiring(stack.database().jdbcUrl(), stack.database().username(),
                stack.database().password(), stack.kafka().bootstrapServers(), stack.s3().endpoint().toString(),
                stack.s3().region(), stack.s3().bucket(), stack.s3().accessKey(), stack.s3().secretKey(), ADMIN_TOKEN,
                "faults-callback-hmac-key-0123456789abcdef0123456789", "faults-api-key-pepper-0123456789abcdef0123456789",
                TestJobRuns.classpathFrom(System.getProperty("java.class.path")), jobsDir);
        Map<String, String> common = new HashMap<>(wiring.common());
        common.put("SNAPFLOW_ACTION_CATALOG", TestJobRuns.writeCatalog(workDir).toString());
        common.put("SNAPFLOW_OUTBOX_RELAY_INTERVAL", "500ms");
        Map<String, Map<String, String>> perFunction = wiring.perFunction();
        perFunction.get("callback").putAll(Map.of("SNAPFLOW_RETRY_BASE_DELAY", "500ms", "SNAPFLOW_RETRY_MAX_DELAY", "2s",
                "SNAPFLOW_RECONCILE_INTERVAL", "1s", "SNAPFLOW_RECONCILE_SIGN_OF_LIFE", "6s",
                "SNAPFLOW_RECONCILE_REDRIVE_WAIT", "4s", "SNAPFLOW_RECONCILE_ACCEPTED_TIMEOUT", "5s"));
        perFunction.get("enqueue").putAll(Map.of("SNAPFLOW_ENQUEUE_SWEEP_INTERVAL", "500ms",
                "SNAPFLOW_LAUNCH_DEADLINE", "20s"));
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

    @Test
    void aJobKilledWithoutAReportIsRetriedAndItsProcessSucceeds() throws Exception {
        Fault fault = new Fault("job killed without a report");
        List<String> accepted = fault.submit(2, """
                {"it-first":{"behaviour":"slow","sleepMs":4000},"it-second":{"behaviour":"succeed"}}""");
        String victim = "sf-" + accepted.getFirst().replace("-", "") + "-s1-a1";
        Path pid = jobsDir.resolve(victim).resolve("pid");
        await("the job running").atMost(Duration.ofMinutes(2)).until(() -> Files.exists(pid)
                && "RUNNING".equals(text("SELECT state FROM attempts WHERE job_id = ?", victim)));

        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElseThrow().destroyForcibly(); // SIGKILL
        fault.recovered();

        fault.awaitAllTerminalAndCheck();
        assertThat(text("SELECT state FROM attempts WHERE job_id = ?", victim)).isEqualTo("FAILED");
        assertThat(text("SELECT state FROM attempts WHERE job_id = ?", victim.replace("-a1", "-a2"))).isEqualTo("SUCCEEDED");
    }

    @Test
    void aFinalReportLostWhileCallbackIsDownEndsSucceededFromTheCommittedManifest() throws Exception {
        Fault fault = new Fault("final report lost (callback down while the job finished)");
        List<String> accepted = fault.submit(2, """
                {"it-first":{"behaviour":"slow","sleepMs":3000,"reportWindowMs":1000},"it-second":{"behaviour":"succeed"}}""");
        List<String> firstJobs = accepted.stream().map(id -> "sf-" + id.replace("-", "") + "-s1-a1").toList();
        await("the first steps running").atMost(Duration.ofMinutes(2)).until(() -> firstJobs.stream().allMatch(
                job -> "RUNNING".equals(text("SELECT state FROM attempts WHERE job_id = ?", job))));

        plane.stop("callback");
        await("the jobs ended while callback was down").atMost(Duration.ofMinutes(1)).until(() -> firstJobs.stream()
                .allMatch(job -> Files.exists(jobsDir.resolve(job).resolve("exit-code"))));
        assertThat(firstJobs).allSatisfy(job -> assertThat(Files.readString(jobsDir.resolve(job).resolve("exit-code")))
                .as("the job's own exit").isEqualTo("0"));
        plane.restart("callback", Map.of());
        fault.recovered();

        fault.awaitAllTerminalAndCheck();
        assertThat(firstJobs).allSatisfy(job -> {
            assertThat(text("SELECT state FROM attempts WHERE job_id = ?", job)).isEqualTo("SUCCEEDED");
            assertThat(text("SELECT output_manifest FROM attempts WHERE job_id = ?", job)).endsWith("/_manifest.json");
        });
    }

    @Test
    void aProcessAcceptedThatNeverReachedEnqueueIsReDrivenAndItsProcessSucceeds() throws Exception {
        Fault fault = new Fault("process.accepted lost in the broker");
        plane.stop("enqueue");
        List<String> accepted = fault.submit(2, """
                {"it-first":{"behaviour":"succeed"},"it-second":{"behaviour":"succeed"}}""");
        await("process.accepted published").atMost(Duration.ofMinutes(1)).until(() -> accepted.stream().allMatch(id ->
                "true".equals(text("SELECT (published_at IS NOT NULL)::text FROM outbox WHERE event_id = ?",
                        "process-accepted-" + id))));
        deleteEverythingOnTheEventsTopic();
        plane.restart("enqueue", Map.of());
        fault.recovered();

        fault.awaitAllTerminalAndCheck();
        assertThat(accepted).allSatisfy(id -> assertThat(text(
                "SELECT count(*) FROM outbox WHERE event_id = ?", "process-accepted-" + id + "/redrive-1")).isEqualTo("1"));
    }

    /**
     * The stuck case of issue 13: launch stopped (its jobs stopped with it, exit code 143 written) and their
     * failure reports never went out; the restarted launch does not adopt a job with an exit code. The reconciler
     * re-sends the job requests, launch answers "lost", and the steps run again.
     */
    @Test
    void jobsStoppedWithLaunchWhoseReportsNeverWentOutAreRetriedNotLeftRunning() throws Exception {
        Fault fault = new Fault("jobs stopped with launch, their reports lost");
        List<String> accepted = fault.submit(2, """
                {"it-first":{"behaviour":"slow","sleepMs":8000},"it-second":{"behaviour":"succeed"}}""");
        List<String> firstJobs = accepted.stream().map(id -> "sf-" + id.replace("-", "") + "-s1-a1").toList();
        await("the first steps running").atMost(Duration.ofMinutes(2)).until(() -> firstJobs.stream().allMatch(
                job -> "RUNNING".equals(text("SELECT state FROM attempts WHERE job_id = ?", job))));

        plane.stop("launch");
        for (String job : firstJobs) {
            assertThat(jobsDir.resolve(job).resolve("exit-code")).exists();
            Files.deleteIfExists(jobsDir.resolve(job).resolve("report-pending")); // the report that never went out
        }
        plane.restart("launch", Map.of());
        fault.recovered();

        fault.awaitAllTerminalAndCheck();
        assertThat(firstJobs).allSatisfy(job -> {
            assertThat(text("SELECT state || ' ' || error_class FROM attempts WHERE job_id = ?", job))
                    .isEqualTo("FAILED TRANSIENT");
            assertThat(text("SELECT error_message FROM attempts WHERE job_id = ?", job)).startsWith("the job was lost");
            assertThat(text("SELECT state FROM attempts WHERE job_id = ?", job.replace("-a1", "-a2"))).isEqualTo("SUCCEEDED");
        });
    }

    /** The broker loses the events not consumed yet (what a lost partition or a retention mistake does). */
    private void deleteEverythingOnTheEventsTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
            var partitions = admin.describeTopics(List.of("snapflow-events")).allTopicNames().get().get("snapflow-events")
                    .partitions().stream().map(p -> new TopicPartition("snapflow-events", p.partition())).toList();
            var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get();
            admin.deleteRecords(ends.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> RecordsToDelete.beforeOffset(e.getValue().offset())))).all().get();
        }
    }

    /** One fault's processes: a tenant of their own, what was accepted, when the fault was over. */
    private final class Fault {
        private final String name;
        private final String tenant = "faults-" + UUID.randomUUID().toString().substring(0, 8);
        private final List<String> accepted = new ArrayList<>();
        private long recoveredAt;

        Fault(String name) {
            this.name = name;
        }

        List<String> submit(int processes, String params) throws Exception {
            String apiKey = createTenant(tenant);
            new SnapshotPublisher(s3, stack.s3().bucket()).publishGenerated(new SnapshotRef(tenant, "orders", "2026-12-01"),
                    new OrdersSpec(3, 20, 1));
            for (int i = 0; i < processes; i++) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(api("/v1/processes"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"entity":"orders","dataVersion":"2026-12-01","pipeline":"it-two-steps","params":%s}"""
                                .formatted(params))).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                accepted.add(JSON.readTree(response.body()).path("id").asText());
            }
            return accepted;
        }

        void recovered() {
            recoveredAt = System.nanoTime();
        }

        /** 0 lost, 0 duplicated runs, all terminal and SUCCEEDED; writes the figures. */
        void awaitAllTerminalAndCheck() throws Exception {
            await(name + ": every accepted process terminal").atMost(TERMINAL_TIMEOUT).pollInterval(Duration.ofMillis(250))
                    .until(() -> states().values().stream().allMatch(TERMINAL::contains));
            double seconds = (System.nanoTime() - recoveredAt) / 1e9;
            Map<String, String> states = states();
            List<String> jobs = jobIds();
            Map<String, Integer> starts = TestJobRuns.startsPerJob(s3, stack.s3().bucket());
            long lost = accepted.stream().filter(id -> !states.containsKey(id)).count();
            long duplicated = jobs.stream().filter(job -> starts.getOrDefault(job, 0) > 1).count();
            long stuck = states.values().stream().filter(state -> !TERMINAL.contains(state)).count();
            Map<String, Long> byState = states.values().stream()
                    .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
            String line = "RECONCILE-FAULT %s: %d accepted, lost %d, duplicated runs %d, stuck %d, %s, %d attempts; all terminal %.1f s after recovery"
                    .formatted(name, accepted.size(), lost, duplicated, stuck, byState, jobs.size(), seconds);
            System.out.println(line);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "reconcile-faults.txt"), line + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);

            assertThat(states.keySet()).as("lost processes").containsExactlyInAnyOrderElementsOf(accepted);
            assertThat(jobs).as("job runs per attempt").allSatisfy(job ->
                    assertThat(starts.getOrDefault(job, 0)).as("starts of " + job).isLessThanOrEqualTo(1));
            assertThat(states).as("how the processes ended").allSatisfy((id, state) -> assertThat(state).isEqualTo("SUCCEEDED"));
        }

        private Map<String, String> states() throws Exception {
            Map<String, String> states = new HashMap<>();
            try (Connection connection = stack.database().openConnection();
                 PreparedStatement select = connection.prepareStatement("SELECT id, state FROM processes WHERE tenant_id = ?")) {
                select.setString(1, tenant);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        states.put(row.getString(1), row.getString(2));
                    }
                }
            }
            return states;
        }

        private List<String> jobIds() throws Exception {
            List<String> jobs = new ArrayList<>();
            try (Connection connection = stack.database().openConnection();
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT a.job_id FROM attempts a JOIN processes p ON p.id = a.process_id WHERE p.tenant_id = ?")) {
                select.setString(1, tenant);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        jobs.add(row.getString(1));
                    }
                }
            }
            return jobs;
        }
    }

    private String createTenant(String id) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(api("/v1/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).path("apiKey").asText();
    }

    private URI api(String path) {
        return URI.create(plane.baseUrl("validate") + path);
    }

    private String text(String sql, Object arg) {
        try (Connection connection = stack.database().openConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setObject(1, arg);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
