package dev.snapflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What Knative's scale-from-zero costs: a function JVM is started from its jar (as in its container, configured only by
 * environment), and the clock runs from process start to the first 200 on {@code /health/readiness} and to the first real request
 * answered. RSS is read from {@code /proc/<pid>/status} right after that request. Each function runs plain and with a
 * JDK 25 AOT cache made by a training run on the same class path and JDK.
 *
 * <p>The launch here is the benchmark's own (not {@code FunctionProcess}): it polls every few milliseconds, where the
 * launcher's 100 ms readiness poll would blur the figure being measured.
 */
public final class ColdStartBenchmark {
    /**
     * What a function's container runs ({@link BenchEnvironment#PRODUCTION_JVM_FLAGS}), without {@code -Xshare}
     * options, which the JVM refuses next to {@code -XX:AOTCacheOutput}.
     */
    public static final List<String> BASE_FLAGS = BenchEnvironment.PRODUCTION_JVM_FLAGS;

    public enum Mode { PLAIN, AOT_CACHE }

    /** One measured start. Times in milliseconds from process start. */
    public record Run(String function, Mode mode, double healthMillis, double firstRequestMillis, int firstRequestStatus,
                      long rssKib) {
    }

    /** What "first real request" means per function: a request that goes through its own code path. */
    public record RealRequest(String description, java.util.function.Function<Integer, HttpRequest> build) {
    }

    private static final String COLD_START_TENANT = "coldstart";
    private static final SnapshotRef COLD_START_SNAPSHOT = new SnapshotRef(COLD_START_TENANT, "orders", "2026-11-21");
    private static final String SUBMISSION = "{\"entity\":\"orders\",\"dataVersion\":\"2026-11-21\",\"action\":\"ingest\",\"params\":{}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The API key of the tenant whose submissions validate's cold starts serve; made by validate's training run. */
    private String validateApiKey;

    public RealRequest realRequestOf(String function) {
        return switch (function) {
            case "validate" -> new RealRequest("POST /v1/processes accepted (201): API key lookup in PostgreSQL, catalog and "
                    + "params schema, S3 HEAD of the snapshot's manifest, the process, its steps and the outbox event in one "
                    + "transaction, the event published to Kafka",
                    port -> HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/processes"))
                            .header("Authorization", "Bearer " + validateApiKey).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(SUBMISSION)).build());
            case "callback" -> new RealRequest("POST /v1/jobs/{id}/status for a well-formed job id with a forged job token (HMAC check → 401)",
                    port -> HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs/"
                                    + JobId.of(UUID.randomUUID().toString(), 1, 1).value() + "/status"))
                            .header("Authorization", "Bearer not-a-valid-job-token").header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"RUNNING\"}")).build());
            case "enqueue", "launch" -> new RealRequest(
                    "CloudEvent (binary HTTP binding) POST /: 404 on the Kafka transport, which serves no HTTP event entry "
                            + "(the first answer of the HTTP server's router)",
                    port -> HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .header("ce-specversion", "1.0").header("ce-type", "dev.snapflow.bench.ping.v1")
                            .header("ce-source", "/bench").header("ce-id", UUID.randomUUID().toString())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            default -> throw new IllegalArgumentException("unknown function " + function);
        };
    }

    private final BenchEnvironment environment;
    private final Path javaHome;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    public ColdStartBenchmark(BenchEnvironment environment, Path javaHome) {
        this.environment = environment;
        this.javaHome = javaHome;
    }

    /** The AOT cache file of a function (kept in the work dir: it is tied to this class path and JDK build). */
    public Path aotCache(String function) {
        return environment.workDir().resolve("aot").resolve(function + ".aot");
    }

    /** Real requests a training run serves before it exits and writes the cache. */
    public static final int TRAINING_REQUESTS = 20;

    /** Training run: starts the function, serves a few real requests, stops it so the JVM writes the cache at exit. */
    public Duration train(String function) throws Exception {
        Path cache = aotCache(function);
        Files.createDirectories(cache.getParent());
        Files.deleteIfExists(cache);
        long started = System.nanoTime();
        List<String> flags = List.of("-XX:AOTCacheOutput=" + cache);
        try (Started process = start(function, flags, "train")) {
            if (function.equals("validate") && validateApiKey == null) {
                validateApiKey = createTenantWithSnapshot(process.port);
            }
            for (int i = 0; i < TRAINING_REQUESTS; i++) {
                http.send(realRequestOf(function).build().apply(process.port), HttpResponse.BodyHandlers.discarding());
            }
            process.stopAndWait(Duration.ofMinutes(3));
        }
        if (!Files.isRegularFile(cache)) {
            throw new IllegalStateException(function + ": the training run wrote no AOT cache at " + cache);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    public Run measure(String function, Mode mode, int index) throws Exception {
        List<String> flags = mode == Mode.AOT_CACHE
                // AOTMode=on: fail instead of silently running without a cache that does not match.
                ? List.of("-XX:AOTMode=on", "-XX:AOTCache=" + aotCache(function))
                : List.of();
        try (Started process = start(function, flags, mode.name().toLowerCase() + "-" + index)) {
            long health = process.awaitHealthy(Duration.ofMinutes(2));
            HttpResponse<Void> response = http.send(realRequestOf(function).build().apply(process.port),
                    HttpResponse.BodyHandlers.discarding());
            long firstRequest = System.nanoTime() - process.startedNanos;
            long rss = rssKib(process.process.pid());
            process.stopAndWait(Duration.ofSeconds(30));
            return new Run(function, mode, health / 1e6, firstRequest / 1e6, response.statusCode(), rss);
        }
    }

    /** Through validate's admin API (as an operator would), and a small committed snapshot for it to submit against. */
    private String createTenantWithSnapshot(int port) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/admin/tenants"))
                .header("Authorization", "Bearer " + BenchEnvironment.ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + COLD_START_TENANT + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("tenant " + COLD_START_TENANT + " not created: " + created.statusCode() + " " + created.body());
        }
        try (S3Client s3 = environment.stack().s3().newClient()) {
            new SnapshotPublisher(s3, environment.stack().s3().bucket()).publishGenerated(COLD_START_SNAPSHOT, OrdersSpec.ofRows(7, 100));
        }
        return JSON.readTree(created.body()).get("apiKey").asText();
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    }

    /** The command line used, for the results file. */
    public List<String> command(String function, List<String> flags) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(BASE_FLAGS);
        command.addAll(flags);
        command.add("-jar");
        command.add(environment.functionJar(function).toString());
        return command;
    }

    private Started start(String function, List<String> flags, String label) throws Exception {
        int port = freePort();
        Path log = environment.workDir().resolve("coldstart-" + function + "-" + label + ".log");
        ProcessBuilder builder = new ProcessBuilder(command(function, flags)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment.environmentOf(function, port));
        long startedNanos = System.nanoTime();
        Process process = builder.start();
        Started started = new Started(function, process, port, startedNanos, log);
        if (label.equals("train")) {
            started.awaitHealthy(Duration.ofMinutes(2));
        }
        return started;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private final class Started implements AutoCloseable {
        final String function;
        final Process process;
        final int port;
        final long startedNanos;
        final Path log;

        Started(String function, Process process, int port, long startedNanos, Path log) {
            this.function = function;
            this.process = process;
            this.port = port;
            this.startedNanos = startedNanos;
            this.log = log;
        }

        /** Nanoseconds from process start to the first 200 on /health/readiness (the probe Knative sends). */
        long awaitHealthy(Duration timeout) throws Exception {
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/readiness"))
                    .timeout(Duration.ofSeconds(5)).GET().build();
            long deadline = startedNanos + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(function + " exited with " + process.exitValue() + "; see " + log
                            + ":\n" + tail());
                }
                try {
                    if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return System.nanoTime() - startedNanos;
                    }
                } catch (IOException notListeningYet) {
                    // keep polling
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException(function + " not healthy within " + timeout + "; see " + log + ":\n" + tail());
        }

        String tail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "";
            }
        }

        /** SIGTERM and wait (the AOT cache is written while the JVM exits). */
        void stopAndWait(Duration timeout) throws InterruptedException {
            process.destroy();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Medians per function and mode, for the results table. */
    public record Summary(String function, Mode mode, int runs, double healthMillis, double firstRequestMillis,
                          double rssMib, String statuses) {
        public static Summary of(String function, Mode mode, List<Run> runs) {
            List<Run> mine = runs.stream().filter(r -> r.function().equals(function) && r.mode() == mode).toList();
            return new Summary(function, mode, mine.size(),
                    Median.of(mine.stream().map(Run::healthMillis).toList()),
                    Median.of(mine.stream().map(Run::firstRequestMillis).toList()),
                    Median.of(mine.stream().map(r -> r.rssKib() / 1024.0).toList()),
                    String.join(",", mine.stream().map(r -> Integer.toString(r.firstRequestStatus())).distinct().toList()));
        }
    }

}
