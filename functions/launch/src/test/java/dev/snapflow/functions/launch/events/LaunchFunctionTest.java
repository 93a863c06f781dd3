package dev.snapflow.functions.launch.events;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.EventTypes;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobLaunched;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.functions.launch.backend.TestJobs;
import dev.snapflow.functions.shared.security.JobTokens;
import io.cloudevents.CloudEvent;
import dev.snapflow.functions.shared.security.TestIssuer;
import io.cloudevents.http.HttpMessageFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The launch function as Knative runs it: CloudEvents over HTTP in ({@code POST /}), events out to the sink,
 * jobs started by the local backend as real child JVMs (the test-only ScriptedJob of test-action-catalog.yml).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LaunchFunctionTest {
    private static final String HMAC_KEY = "launch-test-key-0123456789-0123456789-abcdef";

    @TempDir
    static Path workDir;

    private RecordingSink sink;
    private EmbeddedServer server;
    private int managementPort;
    /** Signs the deliveries as Knative Eventing would (the KafkaSource's identity, launch's audience). */
    private final TestIssuer issuer = TestIssuer.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws IOException {
        sink = new RecordingSink();
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("snapflow.events.transport", "http");
        properties.putAll(issuer.properties("launch", TestIssuer.TRIGGER_SUBJECT));
        properties.put("snapflow.events.sink", sink.url());
        properties.put("snapflow.catalog.location", "classpath:test-action-catalog.yml");
        properties.put("snapflow.callback.hmac-key", HMAC_KEY);
        properties.put("snapflow.launch.backend", "local");
        properties.put("snapflow.launch.local.classpath", System.getProperty("java.class.path"));
        properties.put("snapflow.launch.local.work-dir", workDir.toString());
        properties.put("snapflow.launch.local.kill-grace", "2s");
        properties.put("snapflow.launch.local.max-concurrent-jobs", 2);
        properties.put("snapflow.launch.s3.endpoint", "http://127.0.0.1:9000");
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            managementPort = free.getLocalPort();
        }
        properties.put("endpoints.all.port", managementPort);
        server = ApplicationContext.run(EmbeddedServer.class, properties);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.getApplicationContext().close();
        }
        sink.close();
        issuer.close();
    }

    private static JobArguments arguments(String action, String behaviour) {
        return TestJobs.arguments(UUID.randomUUID().toString(), 1, 1, action, "{\"behaviour\":\"" + behaviour + "\"}");
    }

    private static CloudEvent jobRequested(JobArguments arguments) {
        return Events.newEvent(JobRequested.of(arguments, 1800, Instant.now()))
                .source(EventSources.ENQUEUE).id("job-" + arguments.jobId()).build();
    }

    private HttpResponse<String> post(CloudEvent event) throws IOException, InterruptedException {
        List<String> headers = new ArrayList<>();
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter((name, value) -> {
            headers.add(name);
            headers.add(value);
        }, bytes -> body[0] = bytes).writeBinary(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve("/"))
                .header("Authorization", "Bearer " + issuer.token(TestIssuer.TRIGGER_SUBJECT, "launch"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body[0]));
        for (int i = 0; i < headers.size(); i += 2) {
            request.header(headers.get(i), headers.get(i + 1));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(server.getURI().resolve(path));
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI management(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    private List<CloudEvent> sent(String type, JobArguments arguments) {
        return sink.events(event -> event.getType().equals(type) && arguments.processId().equals(event.getSubject()));
    }

    private Path jobDir(JobArguments arguments) {
        return workDir.resolve(arguments.jobId().value());
    }

    private void awaitEnd(JobArguments arguments) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(jobDir(arguments).resolve("exit-code")));
    }

    @Test
    void jobRequestStartsTheJobWithItsOwnTokenAndAnnouncesJobLaunched() throws Exception {
        JobArguments arguments = arguments("scripted", "print");

        HttpResponse<String> response = post(jobRequested(arguments));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).singleElement().satisfies(event -> {
            JobLaunched launched = Events.read(event, JobLaunched.class);
            assertThat(launched.jobId()).isEqualTo(arguments.jobId().value());
            assertThat(launched.backend()).isEqualTo("local");
            assertThat(launched.backendRef()).isEqualTo(jobDir(arguments).toString());
            assertThat(event.getSource()).isEqualTo(EventSources.LAUNCH);
            assertThat(Events.partitionKey(event)).contains("acme/orders");
        });
        awaitEnd(arguments);
        String expectedToken = JobTokens.fromSecret(HMAC_KEY).mint(arguments.jobId(), 1);
        assertThat(Files.readString(jobDir(arguments).resolve("job.log")))
                .contains("token=" + expectedToken, "s3-endpoint=http://127.0.0.1:9000", "hmac-key=null");
    }

    @Test
    void redeliveredJobRequestStartsNothingNewAndCancelStopsTheJob() throws Exception {
        JobArguments arguments = arguments("scripted", "sleep");
        CloudEvent request = jobRequested(arguments);

        assertThat(post(request).statusCode()).isEqualTo(202);
        assertThat(post(request).statusCode()).isEqualTo(202);

        List<CloudEvent> launched = sent(EventTypes.JOB_LAUNCHED, arguments);
        assertThat(launched).hasSize(2);
        assertThat(launched).extracting(CloudEvent::getId).containsOnly(arguments.jobId() + "/launched");
        await().until(() -> Files.readString(jobDir(arguments).resolve("job.log")).contains("started"));

        CloudEvent cancelled = Events.newEvent(new ProcessCancelled(arguments.processId(), "acme", "orders",
                List.of(arguments.jobId().value()), "changed my mind", Instant.now()))
                .source(EventSources.VALIDATE).build();
        assertThat(post(cancelled).statusCode()).isEqualTo(202);

        awaitEnd(arguments);
        assertThat(Files.readString(jobDir(arguments).resolve("job.log")).lines()
                .filter(line -> line.startsWith("started"))).hasSize(1);
        assertThat(sent(EventTypes.JOB_STATUS, arguments)).isEmpty();
    }

    /** The job request as callback's reconciler re-sends it (JobRequested re-driven: docs/state-machine.md). */
    private static CloudEvent redriven(CloudEvent request, int redrive, boolean startedBefore) {
        return io.cloudevents.core.builder.CloudEventBuilder.from(request)
                .withId(request.getId() + "/redrive-" + redrive)
                .withSource(EventSources.CALLBACK)
                .withExtension(Events.REDRIVE, redrive)
                .withExtension(Events.STARTED_BEFORE, startedBefore)
                .build();
    }

    @Test
    void reDrivenRequestOfARunningJobIsAnsweredJobLaunchedAgainAndOfAnEndedOneJobStatusLostNeverAStart() throws Exception {
        JobArguments arguments = arguments("scripted", "sleep");
        CloudEvent request = jobRequested(arguments);
        assertThat(post(request).statusCode()).isEqualTo(202);
        await().until(() -> Files.readString(jobDir(arguments).resolve("job.log")).contains("started"));

        assertThat(post(redriven(request, 1, true)).statusCode()).isEqualTo(202);
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).extracting(CloudEvent::getId)
                .containsExactly(arguments.jobId() + "/launched", arguments.jobId() + "/launched/redrive-1");

        post(Events.newEvent(new ProcessCancelled(arguments.processId(), "acme", "orders",
                List.of(arguments.jobId().value()), null, Instant.now())).source(EventSources.VALIDATE).build());
        awaitEnd(arguments);
        assertThat(post(redriven(request, 2, true)).statusCode()).isEqualTo(202);

        assertThat(sent(EventTypes.JOB_STATUS, arguments)).singleElement().satisfies(event -> {
            JobStatusReport report = Events.read(event, JobStatusReport.class);
            assertThat(report.state()).isEqualTo(JobState.FAILED);
            assertThat(report.error().errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(report.error().message()).startsWith("the job was lost: it ended (exit code");
        });
        assertThat(Files.readString(jobDir(arguments).resolve("job.log")).lines()
                .filter(line -> line.startsWith("started"))).hasSize(1);
    }

    @Test
    void reDrivenRequestOfAJobSeenRunningThatLaunchNoLongerFindsIsReportedLostAndNotStarted() throws Exception {
        JobArguments arguments = arguments("scripted", "print");

        assertThat(post(redriven(jobRequested(arguments), 1, true)).statusCode()).isEqualTo(202);

        assertThat(Files.exists(jobDir(arguments))).isFalse();
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).isEmpty();
        assertThat(sent(EventTypes.JOB_STATUS, arguments)).singleElement().satisfies(event -> assertThat(
                Events.read(event, JobStatusReport.class).error().message()).startsWith("the job was lost: it is gone"));
    }

    @Test
    void reDrivenRequestOfAnAttemptNeverLaunchedStartsItOnce() throws Exception {
        JobArguments arguments = arguments("scripted", "print");

        assertThat(post(redriven(jobRequested(arguments), 1, false)).statusCode()).isEqualTo(202);

        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).extracting(CloudEvent::getId)
                .containsExactly(arguments.jobId() + "/launched/redrive-1");
        awaitEnd(arguments);
    }

    @Test
    void jobThatCrashesBeforeReportingIsReportedAsJobStatusFailed() throws Exception {
        JobArguments arguments = arguments("scripted", "crash");

        assertThat(post(jobRequested(arguments)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(60)).until(() -> !sent(EventTypes.JOB_STATUS, arguments).isEmpty());
        CloudEvent event = sent(EventTypes.JOB_STATUS, arguments).getFirst();
        JobStatusReport report = Events.read(event, JobStatusReport.class);
        assertThat(report.jobId()).isEqualTo(arguments.jobId().value());
        assertThat(report.state()).isEqualTo(JobState.FAILED);
        assertThat(report.reporter()).isEqualTo(JobStatusReport.REPORTER_KUBERNETES);
        assertThat(report.error().errorClass()).isEqualTo(ErrorClass.INTERNAL);
        assertThat(report.error().message()).contains("exited with code 2", "boom");
        assertThat(Events.partitionKey(event)).contains("acme/orders");
    }

    @Test
    void actionMissingFromTheCatalogIsReportedAsALaunchFailure() throws Exception {
        JobArguments arguments = arguments("no-such-action", "print");

        assertThat(post(jobRequested(arguments)).statusCode()).isEqualTo(202);

        assertThat(sent(EventTypes.JOB_STATUS, arguments)).singleElement().satisfies(event -> {
            JobStatusReport report = Events.read(event, JobStatusReport.class);
            assertThat(report.state()).isEqualTo(JobState.FAILED);
            assertThat(report.error().errorClass()).isEqualTo(ErrorClass.LAUNCH_FAILED);
            assertThat(report.error().message()).contains("no-such-action", "not in launch's action catalog");
        });
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).isEmpty();
        assertThat(jobDir(arguments)).doesNotExist();
    }

    @Test
    void jobRequestWithInvalidDataIsRejectedNamingTheField() throws Exception {
        CloudEvent valid = jobRequested(arguments("scripted", "print"));
        String json = new String(valid.getData().toBytes()).replace("\"timeoutSeconds\":1800", "\"timeoutSeconds\":0");
        CloudEvent invalid = io.cloudevents.core.builder.CloudEventBuilder.from(valid)
                .withData(valid.getDataContentType(), valid.getDataSchema(), json.getBytes()).build();

        HttpResponse<String> response = post(invalid);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("timeoutSeconds");
    }

    @Test
    void jobLaunchedThatCouldNotBePublishedIsRetriedAndAnnouncedOnRedelivery() throws Exception {
        JobArguments arguments = arguments("scripted", "sleep");
        CloudEvent request = jobRequested(arguments);
        sink.refuse(true);
        HttpResponse<String> refused;
        try {
            refused = post(request);
        } finally {
            sink.refuse(false);
        }

        HttpResponse<String> redelivered = post(request);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(redelivered.statusCode()).isEqualTo(202);
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).hasSize(1);
        assertThat(Files.readString(jobDir(arguments).resolve("pid"))).isNotBlank();
        post(Events.newEvent(new ProcessCancelled(arguments.processId(), "acme", "orders", List.of(), null,
                Instant.now())).source(EventSources.VALIDATE).build());
        awaitEnd(arguments);
    }

    @Test
    void jobClaimedByALaunchThatDiedBeforeStartingItIsStartedOnRedeliveryAndAnnounced() throws Exception {
        // A launch killed between claiming the job (its directory) and starting it: the OS dropped its lock.
        JobArguments arguments = arguments("scripted", "print");
        Files.createDirectories(jobDir(arguments));

        HttpResponse<String> redelivered = post(jobRequested(arguments));

        assertThat(redelivered.statusCode()).isEqualTo(202);
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).hasSize(1);
        awaitEnd(arguments);
        assertThat(Files.readString(jobDir(arguments).resolve("job.log")).lines()
                .filter(line -> line.startsWith("started"))).hasSize(1);
        assertThat(sent(EventTypes.JOB_STATUS, arguments)).isEmpty();
    }

    @Test
    void jobRequestOfAProcessCancelledBeforeItArrivedStartsNothingAndReportsNothing() throws Exception {
        JobArguments arguments = arguments("scripted", "print");
        CloudEvent cancelled = Events.newEvent(new ProcessCancelled(arguments.processId(), "acme", "orders",
                List.of(), "changed my mind", Instant.now())).source(EventSources.VALIDATE).build();
        assertThat(post(cancelled).statusCode()).isEqualTo(202);

        assertThat(post(jobRequested(arguments)).statusCode()).isEqualTo(202);

        assertThat(jobDir(arguments)).doesNotExist();
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).isEmpty();
        assertThat(sent(EventTypes.JOB_STATUS, arguments)).isEmpty();
    }

    @Test
    void jobRequestBeyondTheLocalJobLimitIsHeldBackAndTakenLater() throws Exception {
        JobArguments first = arguments("scripted", "sleep");
        JobArguments second = arguments("scripted", "sleep");
        JobArguments third = arguments("scripted", "print");
        assertThat(post(jobRequested(first)).statusCode()).isEqualTo(202);
        assertThat(post(jobRequested(second)).statusCode()).isEqualTo(202);

        HttpResponse<String> heldBack = post(jobRequested(third));

        assertThat(heldBack.statusCode()).isEqualTo(429);
        assertThat(heldBack.body()).contains("local job slots");
        assertThat(jobDir(third)).doesNotExist();
        for (JobArguments running : List.of(first, second)) {
            post(Events.newEvent(new ProcessCancelled(running.processId(), "acme", "orders", List.of(), null,
                    Instant.now())).source(EventSources.VALIDATE).build());
            awaitEnd(running);
        }
        assertThat(post(jobRequested(third)).statusCode()).isEqualTo(202);
        awaitEnd(third);
    }

    @Test
    void healthAndPrometheusMetricsAreServedOnTheManagementPortOnly() throws Exception {
        post(jobRequested(arguments("no-such-action", "print")));

        assertThat(get("/health/readiness").statusCode()).isEqualTo(200);
        assertThat(get("/health").statusCode()).isEqualTo(404);
        assertThat(get("/prometheus").statusCode()).isEqualTo(404);
        assertThat(get(management("/health")).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(management("/prometheus"));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("snapflow_launch_outcomes_total{outcome=\"rejected\"");
    }
}
