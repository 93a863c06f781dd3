package dev.snapflow.spark;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobStatusReport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real HTTP endpoint standing in for the callback function: it checks the bearer token, records
 * every report POSTed to {@code /v1/jobs/{jobId}/status}, and can refuse the next few with 503.
 */
final class CallbackReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final HttpServer server;
    private final String token;
    private final Map<String, List<JobStatusReport>> reports = new ConcurrentHashMap<>();
    private final Map<String, Long> firstReceivedNanos = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
    private final AtomicInteger unauthorized = new AtomicInteger();

    CallbackReceiver(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/jobs/", this::handle);
        server.start();
    }

    String urlFor(JobId jobId) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/jobs/" + jobId + "/status";
    }

    /** The next {@code count} reports of this job are answered 503 (and not recorded). */
    void refuseNext(JobId jobId, int count) {
        refusals.put(jobId.value(), new AtomicInteger(count));
    }

    List<JobStatusReport> reportsOf(JobId jobId) {
        synchronized (reports) {
            return List.copyOf(reports.getOrDefault(jobId.value(), List.of()));
        }
    }

    /** {@link System#nanoTime()} when the first report of that state arrived, or null. */
    Long firstReceivedNanos(JobId jobId, dev.snapflow.contracts.jobs.JobState state) {
        return firstReceivedNanos.get(jobId.value() + "/" + state);
    }

    int unauthorizedRequests() {
        return unauthorized.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String jobId = path.substring("/v1/jobs/".length(), path.length() - "/status".length());
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.incrementAndGet();
                respond(exchange, 401, "{\"title\":\"bad token\"}");
                return;
            }
            AtomicInteger refuse = refusals.get(jobId);
            if (refuse != null && refuse.getAndDecrement() > 0) {
                respond(exchange, 503, "{\"title\":\"try later\"}");
                return;
            }
            JobStatusReport report = JSON.readValue(body, JobStatusReport.class);
            firstReceivedNanos.putIfAbsent(jobId + "/" + report.state(), System.nanoTime());
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
