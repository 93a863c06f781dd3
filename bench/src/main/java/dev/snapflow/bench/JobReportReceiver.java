package dev.snapflow.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for the callback function when the Spark benchmark runs the job by itself (no control plane, so that only
 * the job uses the cores): a real HTTP endpoint that checks the bearer token, answers 202 and records each report
 * POSTed to {@code /v1/jobs/{jobId}/status} with the {@link System#nanoTime()} it arrived at.
 */
final class JobReportReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final HttpServer server;
    private final String token;
    private final Map<String, List<JobStatusReport>> reports = new ConcurrentHashMap<>();
    private final Map<String, Long> firstReceivedNanos = new ConcurrentHashMap<>();

    JobReportReceiver(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/jobs/", this::handle);
        server.start();
    }

    String urlFor(JobId jobId) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/jobs/" + jobId.value() + "/status";
    }

    List<JobStatusReport> reportsOf(JobId jobId) {
        synchronized (reports) {
            return List.copyOf(reports.getOrDefault(jobId.value(), List.of()));
        }
    }

    /** When the first report of that state arrived ({@link System#nanoTime()}), or null. */
    Long firstReceivedNanos(JobId jobId, JobState state) {
        return firstReceivedNanos.get(jobId.value() + "/" + state);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long now = System.nanoTime();
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (!path.endsWith("/status") || !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, "{\"title\":\"bad token or path\"}");
                return;
            }
            String jobId = path.substring("/v1/jobs/".length(), path.length() - "/status".length());
            JobStatusReport report = JSON.readValue(body, JobStatusReport.class);
            firstReceivedNanos.putIfAbsent(jobId + "/" + report.state(), now);
            synchronized (reports) {
                reports.computeIfAbsent(jobId, k -> new ArrayList<>()).add(report);
            }
            respond(exchange, 202, "{}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
