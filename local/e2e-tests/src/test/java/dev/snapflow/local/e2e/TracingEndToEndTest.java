package dev.snapflow.local.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.controlplane.LocalWiring;
import dev.snapflow.local.e2e.harness.OtlpReceiver;
import dev.snapflow.local.e2e.harness.OtlpReceiver.CollectedSpan;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace per process on the running system: the four functions (separate JVMs, exporting OTLP/HTTP to an
 * in-test receiver) and the Spark job's reports share the trace that {@code POST /v1/processes} started, hop by hop
 * (validate's request, the relay's sends, each function's {@code CloudEvents Process} span, launch's span, the job's
 * reports to callback, the webhook call), and the webhook POST carries the trace context.
 */
// A control plane of its own (exporting to this test's receiver), so before the classes sharing RunningSnapflow.
@Order(4)
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef0123456789";
    private static final int SERVER = 2;
    private static final int CLIENT = 3;
    private static final int PRODUCER = 4;
    private static final int CONSUMER = 5;
    private static final int INTERNAL = 1;

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path root = Path.of(System.getProperty("snapflow.root", "../..")).toAbsolutePath().normalize();
    private final List<String> webhookTraceparents = new CopyOnWriteArrayList<>();
    private OtlpReceiver otlp;
    private HttpServer webhooks;
    private ControlPlane plane;
    private String apiKey;

    TracingEndToEndTest(LocalStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    void start() throws Exception {
        otlp = OtlpReceiver.start();
        webhooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhooks.createContext("/hook", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                webhookTraceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        webhooks.start();
        Path workDir = Files.createTempDirectory("snapflow-e2e-tracing-");
        Path jobJar = root.resolve("spark-jobs/target/spark-jobs-0.1.0-SNAPSHOT.jar");
        String jobClasspath = jobJar + File.pathSeparator + "@" + root.resolve("spark-jobs/target/spark-classpath.txt");
        LocalWiring wiring = new LocalWiring(stack.database().jdbcUrl(), stack.database().username(),
                stack.database().password(), stack.kafka().bootstrapServers(), stack.s3().endpoint().toString(),
                stack.s3().region(), stack.s3().bucket(), stack.s3().accessKey(), stack.s3().secretKey(), ADMIN_TOKEN,
                "e2e-callback-hmac-key-0123456789abcdef0123456789", "e2e-api-key-pepper-0123456789abcdef0123456789",
                jobClasspath, workDir.resolve("jobs"));
        Map<String, String> common = new HashMap<>(wiring.common());
        common.putAll(otlp.exporterEnvironment());
        // the in-test receiver is on loopback, which webhooks may not reach unless allowed
        common.put("SNAPFLOW_WEBHOOK_ALLOWED_TARGETS", "127.0.0.1:" + webhooks.getAddress().getPort());
        plane = ControlPlane.start(new ControlPlane.Settings(root.resolve("functions"), workDir.resolve("logs"),
                common, wiring.perFunction(), Duration.ofMinutes(3)), ControlPlane.FUNCTIONS);
        HttpResponse<String> tenant = post("/v1/admin/tenants", ADMIN_TOKEN, "{\"id\":\"traced\"}");
        assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(201);
        apiKey = JSON.readTree(tenant.body()).path("apiKey").asText();
    }

    @AfterAll
    void stop() {
        if (plane != null) {
            plane.close();
        }
        if (webhooks != null) {
            webhooks.stop(0);
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    @Test
    void aProcessIsOneTraceAcrossTheFourFunctionsTheJobAndTheWebhook() throws Exception {
        try (S3Client s3 = stack.s3().newClient()) {
            new SnapshotPublisher(s3, stack.s3().bucket()).publishGenerated(new SnapshotRef("traced", "orders", "2026-12-01"),
                    new OrdersSpec(3, 2_000, 1));
        }
        String webhook = "http://127.0.0.1:" + webhooks.getAddress().getPort() + "/hook";
        HttpResponse<String> created = post("/v1/processes", apiKey, """
                {"entity":"orders","dataVersion":"2026-12-01","action":"ingest","params":%s,"webhookUrl":"%s"}"""
                .formatted(ingestParams(), webhook));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String processId = JSON.readTree(created.body()).path("id").asText();

        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() -> JSON.readTree(
                get("/v1/processes/" + processId)).path("state").asText(), state -> List.of("SUCCEEDED", "FAILED").contains(state));
        assertThat(JSON.readTree(get("/v1/processes/" + processId)).path("state").asText()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofMinutes(1)).until(() -> !webhookTraceparents.isEmpty());

        // validate's span of the request that created the process is the root of its trace
        CollectedSpan request = await().atMost(Duration.ofSeconds(30)).until(() -> otlp.spans().stream()
                .filter(span -> span.kind() == SERVER && processId.equals(span.attribute("snapflow.process_id")))
                .findFirst(), Optional::isPresent).orElseThrow();
        String traceId = request.traceId();
        assertThat(request.service()).isEqualTo("snapflow-validate");
        assertThat(request.parentSpanId()).as("the request span is the trace's root").isEmpty();
        assertThat(request.attribute("snapflow.tenant")).isEqualTo("traced");

        // each hop's span has its parent in the trace; waits for the late exporters (callback's webhook call)
        CollectedSpan webhookCall = await().atMost(Duration.ofSeconds(30)).until(() -> find(traceId,
                span -> span.service().equals("snapflow-callback") && span.kind() == CLIENT && span.name().equals("POST")),
                Optional::isPresent).orElseThrow();
        List<CollectedSpan> trace = otlp.trace(traceId);
        String dump = trace.stream().map(CollectedSpan::toString).collect(Collectors.joining("\n"));

        CollectedSpan acceptedSent = one(trace, "snapflow-validate", PRODUCER, "send snapflow-events",
                "dev.snapflow.process.accepted.v1", dump);
        assertThat(acceptedSent.parentSpanId()).as(dump).isEqualTo(request.spanId());
        CollectedSpan enqueued = one(trace, "snapflow-enqueue", CONSUMER, "CloudEvents Process dev.snapflow.process.accepted.v1",
                null, dump);
        assertThat(enqueued.parentSpanId()).as(dump).isEqualTo(request.spanId());
        assertThat(enqueued.attribute("snapflow.process_id")).isEqualTo(processId);
        assertThat(enqueued.attribute("messaging.system")).isEqualTo("kafka");
        CollectedSpan jobSent = one(trace, "snapflow-enqueue", PRODUCER, "send snapflow-jobs", "dev.snapflow.job.requested.v1", dump);
        assertThat(jobSent.parentSpanId()).as(dump).isEqualTo(enqueued.spanId());
        CollectedSpan launchReceived = one(trace, "snapflow-launch", CONSUMER, "CloudEvents Process dev.snapflow.job.requested.v1",
                null, dump);
        assertThat(launchReceived.parentSpanId()).as(dump).isEqualTo(enqueued.spanId());
        CollectedSpan launched = one(trace, "snapflow-launch", INTERNAL, "launch ingest", null, dump);
        assertThat(launched.parentSpanId()).as(dump).isEqualTo(launchReceived.spanId());
        String jobId = launched.attribute("snapflow.job_id");
        assertThat(jobId).as(dump).isEqualTo(JobId.of(processId, 1, 1).value());

        // the job's reports: callback's server spans, children of the launch span (the job's TRACEPARENT)
        List<CollectedSpan> reports = trace.stream().filter(span -> span.service().equals("snapflow-callback")
                && span.kind() == SERVER && jobId.equals(span.attribute("snapflow.job_id"))).toList();
        assertThat(reports).as(dump).isNotEmpty().allSatisfy(report ->
                assertThat(report.parentSpanId()).isEqualTo(launched.spanId()));

        // the webhook call continues the span that wrote its delivery, and its request carried the call's context
        assertThat(trace).as(dump).anySatisfy(span -> assertThat(span.spanId()).isEqualTo(webhookCall.parentSpanId()));
        assertThat(webhookTraceparents).contains("00-" + traceId + "-" + webhookCall.spanId() + "-01");

        assertThat(trace.stream().map(CollectedSpan::service).distinct())
                .containsExactlyInAnyOrder("snapflow-validate", "snapflow-enqueue", "snapflow-launch", "snapflow-callback");
        assertThat(trace).as("every span's parent is in the trace:\n" + dump).allSatisfy(span -> {
            if (!span.parentSpanId().isEmpty()) {
                assertThat(trace).anySatisfy(parent -> assertThat(parent.spanId()).isEqualTo(span.parentSpanId()));
            }
        });
    }

    private Optional<CollectedSpan> find(String traceId, Predicate<CollectedSpan> test) {
        return otlp.trace(traceId).stream().filter(test).findFirst();
    }

    /** The one span of this service, kind and name (and CloudEvents type, when given). */
    private static CollectedSpan one(List<CollectedSpan> trace, String service, int kind, String name, String eventType,
                                     String dump) {
        List<CollectedSpan> found = trace.stream().filter(span -> span.service().equals(service) && span.kind() == kind
                && span.name().equals(name) && (eventType == null || eventType.equals(span.attribute("cloudevents.event_type"))))
                .toList();
        assertThat(found).as(service + " " + name + " " + (eventType == null ? "" : eventType) + " in\n" + dump).hasSize(1);
        return found.get(0);
    }

    private String ingestParams() throws Exception {
        try (FileSystem zip = FileSystems.newFileSystem(root.resolve("spark-jobs/target/spark-jobs-0.1.0-SNAPSHOT.jar"))) {
            return Files.readString(zip.getPath("/params/examples/ingest.orders.json"));
        }
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(plane.baseUrl("validate") + path))
                .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> post(String path, String bearer, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(plane.baseUrl("validate") + path))
                        .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
