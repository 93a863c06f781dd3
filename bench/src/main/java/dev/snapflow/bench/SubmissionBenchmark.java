package dev.snapflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load on {@code POST /v1/processes} of the real validate function (real PostgreSQL, the S3 HEAD of the
 * input manifest). Only validate runs, so no job is started: accepted processes wait in the outbox/Kafka.
 * Each rate runs for a fixed time; rates rise until the function saturates.
 */
public final class SubmissionBenchmark {
    public static final String TENANT = "bench";
    public static final String BODY = """
            {"entity":"orders","dataVersion":"2026-11-21","action":"ingest","params":{}}""";

    /** One rate's outcome. */
    public record Step(double offeredPerSecond, double acceptedPerSecond, long sent, long accepted, long errors,
                       LatencySummary latency, String otherStatuses) {
        boolean saturated() {
            return acceptedPerSecond < 0.9 * offeredPerSecond || latency.p99Millis() > 1000 || errors > sent / 100;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchEnvironment environment;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private ControlPlane plane;
    private String apiKey;

    private final java.nio.file.Path recording;

    /**
     * validate's CPU time (all its threads: requests, outbox relay, span export) per accepted submission, by offered
     * rate: what a feature costs even where the latencies drown in other load on the machine.
     */
    private final java.util.Map<Double, Double> cpuMillisPerAccepted = new java.util.LinkedHashMap<>();

    /** Where validate exports its spans, when tracing is measured; null when tracing is off (no exporter). */
    private final TraceSink traces;

    /**
     * @param recording where validate writes a JFR recording (profile settings), or null for none
     * @param tracing   validate exports its spans over OTLP/HTTP to a sink in this JVM (tracing's cost); otherwise
     *                  it runs with its default, no exporter
     */
    public SubmissionBenchmark(BenchEnvironment environment, java.nio.file.Path recording, boolean tracing) {
        this.environment = environment;
        this.recording = recording;
        this.traces = tracing ? TraceSink.start() : null;
    }

    /** Starts validate alone, creates the tenant and commits the raw snapshot the submissions name. */
    public void setUp() throws Exception {
        java.util.Map<String, String> validate = new java.util.HashMap<>();
        if (recording != null) {
            validate.put("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + recording);
        }
        if (traces != null) {
            validate.putAll(traces.exporterEnvironment());
        }
        plane = environment.startControlPlane(List.of("validate"), java.util.Map.of("validate", validate));
        HttpResponse<String> tenant = http.send(HttpRequest.newBuilder(uri("/v1/admin/tenants"))
                .header("Authorization", "Bearer " + BenchEnvironment.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + TENANT + "\",\"maxConcurrentJobs\":4}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (tenant.statusCode() != 201) {
            throw new IllegalStateException("tenant not created: " + tenant.statusCode() + " " + tenant.body());
        }
        JsonNode created = JSON.readTree(tenant.body());
        apiKey = created.get("apiKey").asText();
        try (S3Client s3 = environment.stack().s3().newClient()) {
            new SnapshotPublisher(s3, environment.stack().s3().bucket())
                    .publishGenerated(new SnapshotRef(TENANT, "orders", "2026-11-21"), OrdersSpec.ofRows(7, 1_000));
        }
        HttpResponse<String> probe = send();
        if (probe.statusCode() != 201) {
            throw new IllegalStateException("a submission was not accepted: " + probe.statusCode() + " " + probe.body());
        }
    }

    public void tearDown() {
        if (plane != null) {
            plane.close();
        }
        if (traces != null) {
            traces.close();
        }
    }

    /** validate's CPU milliseconds per accepted submission, by offered rate (the warm-up's rate included). */
    public java.util.Map<Double, Double> cpuMillisPerAccepted() {
        return java.util.Map.copyOf(cpuMillisPerAccepted);
    }

    private Duration validateCpu() {
        return ProcessHandle.of(plane.function("validate").pid()).flatMap(p -> p.info().totalCpuDuration())
                .orElse(Duration.ZERO);
    }

    /** What validate exported while tracing was measured: "N exports, M KiB"; null when tracing was off. */
    public String exported() {
        return traces == null ? null : traces.exports() + " exports, " + traces.bytes() / 1024 + " KiB";
    }

    public int validatePort() {
        return plane.port("validate");
    }

    private URI uri(String path) {
        return URI.create(plane.baseUrl("validate") + path);
    }

    private HttpRequest submission() {
        return HttpRequest.newBuilder(uri("/v1/processes")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
    }

    private HttpResponse<String> send() throws Exception {
        return http.send(submission(), HttpResponse.BodyHandlers.ofString());
    }

    /** Rates rise through {@code rates} and stop after the first saturated step. */
    public List<Step> run(List<Double> rates, Duration perRate, Duration warmUp) throws Exception {
        runAt(Math.min(50, rates.getFirst()), warmUp);
        List<Step> steps = new ArrayList<>();
        for (double rate : rates) {
            Step step = runAt(rate, perRate);
            steps.add(step);
            System.err.printf("submission: %.0f/s offered → %.0f/s accepted, p50 %.1f ms, p99 %.1f ms, errors %d%n",
                    step.offeredPerSecond(), step.acceptedPerSecond(), step.latency().p50Millis(),
                    step.latency().p99Millis(), step.errors());
            if (step.saturated()) {
                break;
            }
        }
        return steps;
    }

    /** One open-loop step; latency of each request counts from when it was due. */
    public Step runAt(double rate, Duration duration) throws Exception {
        Duration cpuBefore = validateCpu();
        Histogram latencies = LatencySummary.newMicrosHistogram();
        AtomicLong accepted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        StringBuffer otherStatuses = new StringBuffer();
        AtomicLong lastCompletion = new AtomicLong();
        OpenLoopSchedule schedule = new OpenLoopSchedule(System.nanoTime() + 20_000_000L, rate, duration);
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (long i = 0; i < schedule.requests(); i++) {
            long due = schedule.dueNanos(i);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.add(http.sendAsync(submission(), HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                long now = System.nanoTime();
                lastCompletion.accumulateAndGet(now, Math::max);
                synchronized (latencies) {
                    latencies.recordValue(Math.max(1, (now - due) / 1000));
                }
                if (failure == null && response.statusCode() == 201) {
                    accepted.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                    String what = failure != null ? failure.getClass().getSimpleName() : Integer.toString(response.statusCode());
                    if (otherStatuses.length() < 200 && otherStatuses.indexOf(what) < 0) {
                        otherStatuses.append(otherStatuses.isEmpty() ? "" : ",").append(what);
                    }
                }
                return null;
            }));
        }
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stillWaiting) {
            errors.addAndGet(inFlight.stream().filter(f -> !f.isDone()).count());
        }
        double elapsedSeconds = Math.max(lastCompletion.get() - schedule.startNanos(), duration.toNanos()) / 1e9;
        if (accepted.get() > 0) {
            cpuMillisPerAccepted.put(rate, validateCpu().minus(cpuBefore).toNanos() / 1e6 / accepted.get());
        }
        return new Step(rate, accepted.get() / elapsedSeconds, schedule.requests(), accepted.get(), errors.get(),
                LatencySummary.of(latencies), otherStatuses.toString());
    }
}
