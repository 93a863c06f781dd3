package dev.snapflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.functions.it.job.TestJobRuns;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import org.HdrHistogram.Histogram;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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
    /**
     * The tenant whose submissions are the load while dispatch is measured: maxConcurrentJobs=1, and its one slot is
     * held by a slow TestJob (it sleeps, reporting RUNNING every 500 ms), so its processes are validated, relayed
     * through Kafka, and queue in enqueue (PostgreSQL), but start no job that would take the cores.
     */
    public static final String LOAD_TENANT = "benchload";
    /**
     * The load's fixed arrival rate. Fixed so that runs compare; well below what validate alone takes even on a busy
     * machine (43/s at load average 17), and about what enqueue drained on this machine with thousands of processes
     * queued (15–20/s at load average 30; at 50/s its backlog grew without bound and dispatch took 35 s and more).
     */
    public static final double LOAD_RATE = 20;
    public static final String LOAD_BODY = """
            {"entity":"orders","dataVersion":"2026-11-21","action":"it-first","params":{"behaviour":"slow","sleepMs":3600000}}""";

    /** Accepted → job launched (launch's backend call returned) and → first RUNNING report, per process, in ms. */
    public record Dispatch(List<Double> launchedMillis, List<Double> startedMillis, int timedOut) {
    }

    /**
     * The other tenant's open-loop load during a dispatch measurement: its submissions (latency from each one's due
     * time), its processes still queued when the load stopped, and how many were cancelled at the end.
     */
    public record Load(double offeredPerSecond, double seconds, long sent, long accepted, long errors,
                       LatencySummary latency, long queuedAtEnd, long cancelled, long notTerminalAfterCancel) {
    }

    public record UnderLoad(Dispatch dispatch, Load load) {
    }

    /**
     * notTerminal: accepted but not terminal when the wait ended, by state (lost only if it never moves again: a
     * longer wait tells); missing: accepted but no process row. duplicated: attempts whose job started more than once;
     * notStarted: attempts whose job has not started (yet); rerunSteps: steps whose job started under more than one
     * attempt (the first attempt was lost or failed and the step retried: its work ran again, no job twice).
     */
    public record Burst(int submitted, int accepted, double submitSeconds, double allTerminalSeconds, boolean allTerminal,
                        long succeeded, long notSucceeded, long notTerminal, String notTerminalStates, long missing,
                        long attempts, long duplicated, long notStarted, long rerunSteps) {
    }

    /** The ids of the accepted submissions of a burst and how long submitting took. */
    public record Submitted(int count, List<String> ids, double seconds) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchEnvironment environment;
    private final Path root;
    private final String tenant;
    private final String loadTenant;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private ControlPlane plane;
    private String apiKey;
    private String loadApiKey;

    public JobFlowBenchmark(BenchEnvironment environment, Path root) {
        this(environment, root, TENANT, LOAD_TENANT);
    }

    /** With tenants of their own: another benchmark on the same stack (tenants are created once per database). */
    public JobFlowBenchmark(BenchEnvironment environment, Path root, String tenant, String loadTenant) {
        this.environment = environment;
        this.root = root;
        this.tenant = tenant;
        this.loadTenant = loadTenant;
    }

    /** The running control plane (after {@link #setUp()}), for benchmarks that inject faults into it. */
    public ControlPlane plane() {
        return plane;
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
        apiKey = createTenant(tenant, TENANT_CONCURRENCY);
        loadApiKey = createTenant(loadTenant, 1);
        try (S3Client s3 = environment.stack().s3().newClient()) {
            SnapshotPublisher publisher = new SnapshotPublisher(s3, environment.stack().s3().bucket());
            publisher.publishGenerated(new SnapshotRef(tenant, "orders", "2026-11-21"), OrdersSpec.ofRows(7, 1_000));
            publisher.publishGenerated(new SnapshotRef(loadTenant, "orders", "2026-11-21"), OrdersSpec.ofRows(7, 1_000));
        }
    }

    /** Creates a tenant through the admin API; returns its API key. */
    private String createTenant(String id, int maxConcurrentJobs) throws Exception {
        HttpResponse<String> tenant = http.send(HttpRequest.newBuilder(uri("/v1/admin/tenants"))
                .header("Authorization", "Bearer " + BenchEnvironment.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"maxConcurrentJobs\":"
                        + maxConcurrentJobs + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (tenant.statusCode() != 201) {
            throw new IllegalStateException("tenant " + id + " not created: " + tenant.statusCode() + " " + tenant.body());
        }
        return JSON.readTree(tenant.body()).get("apiKey").asText();
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
        return submission(apiKey, BODY);
    }

    private HttpRequest submission(String key, String body) {
        return HttpRequest.newBuilder(uri("/v1/processes")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String submit() throws Exception {
        return submit(submission());
    }

    private String submit(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
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
        awaitTerminal(List.of(submit()), Duration.ofSeconds(120));
        return measure(processes, "at rest", Long.MAX_VALUE);
    }

    /**
     * Dispatch as {@link #atRest} while {@link #LOAD_TENANT}'s submissions arrive open-loop at {@code rate}/s: first its
     * slot is taken by one slow job (waited for until RUNNING), then the load runs 5 s before and during the
     * measurement; afterwards every process of the load tenant that is not terminal is cancelled through the API.
     */
    public UnderLoad underLoad(int processes, double rate, Duration atMost) throws Exception {
        String holder = submit(submission(loadApiKey, LOAD_BODY));
        if (!awaitState(holder, "RUNNING", Duration.ofSeconds(120))) {
            throw new IllegalStateException("the load tenant's slow job did not reach RUNNING within 120 s");
        }
        AtomicBoolean stop = new AtomicBoolean();
        Histogram latencies = LatencySummary.newMicrosHistogram();
        AtomicLong accepted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        List<CompletableFuture<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
        OpenLoopSchedule schedule = new OpenLoopSchedule(System.nanoTime() + 20_000_000L, rate, Duration.ofHours(2));
        Thread load = Thread.ofPlatform().name("dispatch-load").start(() -> {
            for (long i = 0; i < schedule.requests() && !stop.get(); i++) {
                long due = schedule.dueNanos(i);
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && !stop.get()) {
                    LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                }
                if (stop.get()) {
                    break;
                }
                sent.incrementAndGet();
                inFlight.add(http.sendAsync(submission(loadApiKey, LOAD_BODY), HttpResponse.BodyHandlers.discarding())
                        .handle((response, failure) -> {
                            long micros = Math.max(1, (System.nanoTime() - due) / 1000);
                            synchronized (latencies) {
                                latencies.recordValue(Math.min(latencies.getHighestTrackableValue(), micros));
                            }
                            if (failure == null && response.statusCode() == 201) {
                                accepted.incrementAndGet();
                            } else {
                                errors.incrementAndGet();
                            }
                            return null;
                        }));
            }
        });
        Dispatch dispatch;
        long begin = System.nanoTime();
        try {
            Thread.sleep(5_000);
            dispatch = measure(processes, "under load", System.nanoTime() + atMost.toNanos());
        } finally {
            stop.set(true);
            load.join();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        List<CompletableFuture<?>> pending;
        synchronized (inFlight) {
            pending = List.copyOf(inFlight);
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (TimeoutException stillWaiting) {
            errors.addAndGet(pending.stream().filter(f -> !f.isDone()).count());
        }
        LatencySummary summary;
        synchronized (latencies) {
            summary = LatencySummary.of(latencies);
        }
        List<String> open = notTerminal(loadTenant);
        long cancelled = cancelAll(open);
        awaitTerminal(open, Duration.ofSeconds(120));
        long left = notTerminal(loadTenant).size();
        System.err.printf("dispatch load: %.0f/s offered, %d sent, %d accepted, %d errors, p99 %.1f ms; %d queued at the end, "
                + "%d cancelled, %d not terminal after%n", rate, sent.get(), accepted.get(), errors.get(), summary.p99Millis(),
                open.size(), cancelled, left);
        return new UnderLoad(dispatch, new Load(rate, seconds, sent.get(), accepted.get(), errors.get(), summary,
                open.size(), cancelled, left));
    }

    /** Ids of a tenant's processes that are not terminal. */
    private List<String> notTerminal(String tenant) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection connection = environment.stack().database().openConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id FROM processes WHERE tenant_id = ? AND state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED')")) {
            select.setString(1, tenant);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ids.add(row.getString(1));
                }
            }
        }
        return ids;
    }

    /** {@code POST /v1/processes/{id}/cancel} for each (16 in flight); returns how many were answered 2xx. */
    private long cancelAll(List<String> ids) throws Exception {
        Semaphore permits = new Semaphore(16);
        AtomicLong done = new AtomicLong();
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (String id : ids) {
            permits.acquire();
            HttpRequest cancel = HttpRequest.newBuilder(uri("/v1/processes/" + id + "/cancel")).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + loadApiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"end of the dispatch load\"}")).build();
            sends.add(http.sendAsync(cancel, HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> {
                permits.release();
                if (failure == null && response.statusCode() / 100 == 2) {
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        return done.get();
    }

    private boolean awaitState(String id, String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection connection = environment.stack().database().openConnection();
                 PreparedStatement select = connection.prepareStatement("SELECT state FROM processes WHERE id = ?")) {
                select.setObject(1, UUID.fromString(id));
                try (ResultSet row = select.executeQuery()) {
                    if (row.next() && state.equals(row.getString(1))) {
                        return true;
                    }
                }
            }
            Thread.sleep(100);
        }
        return false;
    }

    /**
     * Up to {@code processes} processes, one after the other, none started after {@code deadlineNanos}; a process not
     * terminal within 60 s counts as timed out (and is left out of the percentiles: the report says how many).
     */
    private Dispatch measure(int processes, String label, long deadlineNanos) throws Exception {
        List<Double> launched = new ArrayList<>();
        List<Double> started = new ArrayList<>();
        int timedOut = 0;
        for (int i = 0; i < processes && System.nanoTime() - deadlineNanos < 0; i++) {
            String id = submit();
            if (!awaitTerminal(List.of(id), Duration.ofSeconds(60))) {
                timedOut++;
                System.err.printf("dispatch %s %d: not terminal within 60 s%n", label, i);
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
            System.err.printf("dispatch %s %d: accepted → launched %.0f ms, → first RUNNING %.0f ms%n", label, i,
                    launched.getLast(), started.getLast());
        }
        return new Dispatch(launched, started, timedOut);
    }

    /** {@code count} submissions as fast as the API takes them (16 in flight), then wait for all to end. */
    public Burst burst(int count, Duration timeout) throws Exception {
        long begin = System.nanoTime();
        Submitted submitted = submitBurst(count);
        boolean allTerminal = awaitTerminal(submitted.ids(), timeout);
        return outcome(submitted, (System.nanoTime() - begin) / 1e9, allTerminal);
    }

    /** {@code count} submissions as fast as the API takes them (16 in flight); a refused or failed one is not in the ids. */
    public Submitted submitBurst(int count) throws Exception {
        long begin = System.nanoTime();
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Semaphore inFlight = new Semaphore(16);
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
        return new Submitted(count, List.copyOf(ids), (System.nanoTime() - begin) / 1e9);
    }

    /** Where a burst's processes stand now (states, process rows, job starts per attempt from TestJob's markers). */
    public Burst outcome(Submitted submitted, double allTerminalSeconds, boolean allTerminal) throws Exception {
        List<String> ids = submitted.ids();
        try (Connection connection = environment.stack().database().openConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id, state FROM processes WHERE tenant_id = ? AND id = ANY (?)")) {
            select.setString(1, tenant);
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
            return new Burst(submitted.count(), ids.size(), submitted.seconds(), allTerminalSeconds, allTerminal, succeeded,
                    other, found - terminal, notTerminalStates.toString(), ids.size() - found, starts[0], starts[1],
                    starts[2], starts[3]);
        }
    }

    /**
     * [attempts, attempts whose job started more than once, attempts whose job has not started, steps whose job started
     * under more than one attempt] from TestJob's markers.
     */
    private long[] jobStartsPerAttempt(Connection connection, List<String> ids) throws Exception {
        List<String> jobIds = new ArrayList<>();
        Map<String, List<String>> jobsPerStep = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT job_id, process_id, step_no FROM attempts WHERE process_id = ANY (?)")) {
            select.setArray(1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    jobIds.add(row.getString(1));
                    jobsPerStep.computeIfAbsent(row.getString(2) + "/" + row.getInt(3), step -> new ArrayList<>())
                            .add(row.getString(1));
                }
            }
        }
        Map<String, Integer> starts;
        try (S3Client s3 = environment.stack().s3().newClient()) {
            starts = TestJobRuns.startsPerJob(s3, environment.stack().s3().bucket());
        }
        long duplicated = jobIds.stream().filter(job -> starts.getOrDefault(job, 0) > 1).count();
        long notStarted = jobIds.stream().filter(job -> starts.getOrDefault(job, 0) == 0).count();
        long rerunSteps = jobsPerStep.values().stream()
                .filter(jobs -> jobs.stream().filter(job -> starts.getOrDefault(job, 0) > 0).count() > 1).count();
        return new long[]{jobIds.size(), duplicated, notStarted, rerunSteps};
    }

    boolean awaitTerminal(List<String> ids, Duration timeout) throws Exception {
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
