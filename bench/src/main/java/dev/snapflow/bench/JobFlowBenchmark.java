package dev.snapflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.functions.it.job.TestJobRuns;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The whole control plane (four function JVMs) launching the end-to-end tests' TestJob through the local backend,
 * configured as {@code functions/integration-tests} does (its action catalog {@code it-action-catalog.yml}, the same
 * SNAPFLOW_LOCAL_* and retry settings). The job does no Spark work: it reports RUNNING, writes a small output and a
 * marker object per start ({@code it-runs/{jobId}/...}), and reports SUCCEEDED.
 */
public final class JobFlowBenchmark {
    public static final String TENANT = "benchjobs";
    public static final String BODY = """
            {"entity":"orders","dataVersion":"2026-11-21","action":"it-first","params":{"behaviour":"succeed"}}""";
    public static final int TENANT_CONCURRENCY = 4;

    /** Accepted → job launched (launch's backend call returned) and → first RUNNING report, per process, in ms. */
    public record Dispatch(List<Double> launchedMillis, List<Double> startedMillis, int timedOut) {
    }

    /**
     * notTerminal: accepted but not terminal when the wait ended, by state (lost only if it never moves again: a
     * longer wait tells); missing: accepted but no process row. duplicated: attempts whose job started more than once;
     * notStarted: attempts whose job has not started (yet).
     */
    public record Burst(int submitted, int accepted, double submitSeconds, double allTerminalSeconds, boolean allTerminal,
                        long succeeded, long notSucceeded, long notTerminal, String notTerminalStates, long missing,
                        long attempts, long duplicated, long notStarted) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchEnvironment environment;
    private final Path root;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private ControlPlane plane;
    private String apiKey;

    public JobFlowBenchmark(BenchEnvironment environment, Path root) {
        this.environment = environment;
        this.root = root;
    }

    public void setUp() throws Exception {
        Map<String, String> common = new HashMap<>(environment.common());
        common.put("SNAPFLOW_ACTION_CATALOG", TestJobRuns.writeCatalog(environment.workDir()).toString());
        common.put("SNAPFLOW_OUTBOX_RELAY_INTERVAL", "500ms");
        Map<String, Map<String, String>> perFunction = new HashMap<>(environment.perFunction());
        perFunction.put("callback", Map.of("SNAPFLOW_RETRY_BASE_DELAY", "500ms", "SNAPFLOW_RETRY_MAX_DELAY", "2s",
                "SNAPFLOW_WEBHOOK_BASE_DELAY", "500ms"));
        perFunction.put("launch", Map.of("SNAPFLOW_LAUNCH_BACKEND", "local",
                "SNAPFLOW_LOCAL_JOB_CLASSPATH", jobClasspath(),
                "SNAPFLOW_LOCAL_WORK_DIR", environment.workDir().resolve("jobs").toString(),
                "SNAPFLOW_LOCAL_MAX_JOBS", "6"));
        perFunction.put("enqueue", Map.of("SNAPFLOW_TENANT_DEFAULT_CONCURRENCY", "4",
                "SNAPFLOW_ENQUEUE_SWEEP_INTERVAL", "500ms"));
        plane = ControlPlane.start(new ControlPlane.Settings(environment.functionsDir(), environment.workDir(), common,
                perFunction, Duration.ofMinutes(3)), ControlPlane.FUNCTIONS);
        HttpResponse<String> tenant = http.send(HttpRequest.newBuilder(uri("/v1/admin/tenants"))
                .header("Authorization", "Bearer " + BenchEnvironment.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + TENANT + "\",\"maxConcurrentJobs\":"
                        + TENANT_CONCURRENCY + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (tenant.statusCode() != 201) {
            throw new IllegalStateException("tenant not created: " + tenant.statusCode() + " " + tenant.body());
        }
        apiKey = JSON.readTree(tenant.body()).get("apiKey").asText();
        try (S3Client s3 = environment.stack().s3().newClient()) {
            new SnapshotPublisher(s3, environment.stack().s3().bucket())
                    .publishGenerated(new SnapshotRef(TENANT, "orders", "2026-11-21"), OrdersSpec.ofRows(7, 1_000));
        }
    }

    /** TestJob's class path: the integration-tests jar and the libraries beside it in bench/target/lib. */
    private String jobClasspath() throws IOException {
        Path lib = root.resolve("bench/target/lib");
        try (Stream<Path> jars = Files.list(lib)) {
            List<String> entries = jars.map(Path::toString).filter(name -> name.endsWith(".jar")).sorted().toList();
            if (entries.stream().noneMatch(name -> name.contains("functions-integration-tests"))) {
                throw new IllegalStateException("no functions-integration-tests jar in " + lib);
            }
            return String.join(File.pathSeparator, entries);
        }
    }

    public void tearDown() {
        if (plane != null) {
            plane.close();
        }
    }

    private URI uri(String path) {
        return URI.create(plane.baseUrl("validate") + path);
    }

    private HttpRequest submission() {
        return HttpRequest.newBuilder(uri("/v1/processes")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
    }

    private String submit() throws Exception {
        HttpResponse<String> response = http.send(submission(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("not accepted: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get("id").asText();
    }

    /**
     * One process at a time on an otherwise idle plane, each waited for until terminal. One more process goes first
     * and is not counted: the first through freshly started functions pays their JIT warm-up and first connections.
     */
    public Dispatch atRest(int processes) throws Exception {
        List<Double> launched = new ArrayList<>();
        List<Double> started = new ArrayList<>();
        int timedOut = 0;
        awaitTerminal(List.of(submit()), Duration.ofSeconds(120));
        for (int i = 0; i < processes; i++) {
            String id = submit();
            if (!awaitTerminal(List.of(id), Duration.ofSeconds(60))) {
                timedOut++;
                continue;
            }
            try (Connection connection = environment.stack().database().openConnection();
                 PreparedStatement select = connection.prepareStatement("""
                         SELECT EXTRACT(EPOCH FROM (a.launched_at - p.created_at)) * 1000 AS launched,
                                EXTRACT(EPOCH FROM (a.started_at - p.created_at)) * 1000 AS started
                         FROM processes p JOIN attempts a ON a.process_id = p.id AND a.step_no = 1 AND a.attempt = 1
                         WHERE p.id = ?""")) {
                select.setObject(1, UUID.fromString(id));
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        launched.add(row.getDouble("launched"));
                        started.add(row.getDouble("started"));
                    }
                }
            }
            System.err.printf("dispatch %d: accepted → launched %.0f ms, → first RUNNING %.0f ms%n", i,
                    launched.getLast(), started.getLast());
        }
        return new Dispatch(launched, started, timedOut);
    }

    /** {@code count} submissions as fast as the API takes them (16 in flight), then wait for all to end. */
    public Burst burst(int count, Duration timeout) throws Exception {
        long begin = System.nanoTime();
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            sends.add(http.sendAsync(submission(), HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                inFlight.release();
                if (failure == null && response.statusCode() == 201) {
                    try {
                        ids.add(JSON.readTree(response.body()).get("id").asText());
                    } catch (IOException e) {
                        // counted as not accepted
                    }
                }
                return null;
            }));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        double submitSeconds = (System.nanoTime() - begin) / 1e9;
        boolean allTerminal = awaitTerminal(ids, timeout);
        double terminalSeconds = (System.nanoTime() - begin) / 1e9;
        try (Connection connection = environment.stack().database().openConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id, state FROM processes WHERE tenant_id = ? AND id = ANY (?)")) {
            select.setString(1, TENANT);
            select.setArray(2, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            long succeeded = 0;
            long other = 0;
            long terminal = 0;
            long found = 0;
            Map<String, Integer> notTerminalStates = new java.util.TreeMap<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found++;
                    String state = row.getString("state");
                    if ("SUCCEEDED".equals(state)) {
                        succeeded++;
                    } else {
                        other++;
                    }
                    if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state)) {
                        terminal++;
                    } else {
                        notTerminalStates.merge(state, 1, Integer::sum);
                    }
                }
            }
            long[] starts = jobStartsPerAttempt(connection, ids);
            return new Burst(count, ids.size(), submitSeconds, terminalSeconds, allTerminal, succeeded, other,
                    found - terminal, notTerminalStates.toString(), ids.size() - found, starts[0], starts[1], starts[2]);
        }
    }

    /** [attempts, attempts whose job started more than once, attempts whose job has not started] from TestJob's markers. */
    private long[] jobStartsPerAttempt(Connection connection, List<String> ids) throws Exception {
        List<String> jobIds = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT job_id FROM attempts WHERE process_id = ANY (?)")) {
            select.setArray(1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    jobIds.add(row.getString(1));
                }
            }
        }
        Map<String, Integer> starts;
        try (S3Client s3 = environment.stack().s3().newClient()) {
            starts = TestJobRuns.startsPerJob(s3, environment.stack().s3().bucket());
        }
        long duplicated = jobIds.stream().filter(job -> starts.getOrDefault(job, 0) > 1).count();
        long notStarted = jobIds.stream().filter(job -> starts.getOrDefault(job, 0) == 0).count();
        return new long[]{jobIds.size(), duplicated, notStarted};
    }

    private boolean awaitTerminal(List<String> ids, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection connection = environment.stack().database().openConnection();
                 PreparedStatement select = connection.prepareStatement("""
                         SELECT count(*) FROM processes WHERE id = ANY (?)
                         AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')""")) {
                select.setArray(1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    if (row.getLong(1) == ids.size()) {
                        return true;
                    }
                }
            }
            Thread.sleep(20);
        }
        return false;
    }
}
