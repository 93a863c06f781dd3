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
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The launch function with the Kubernetes backend against fabric8's mock API server (CRUD mode), events over
 * HTTP in and out: a job request becomes a Job, an OOM-killed driver becomes a job.status event at the sink,
 * a cancel deletes the Job.
 */
@EnableKubernetesMockClient(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesLaunchFunctionTest {
    private static final String HMAC_KEY = "launch-test-key-0123456789-0123456789-abcdef";
    private static final String NAMESPACE = "snapflow-jobs";

    static KubernetesClient client;

    private RecordingSink sink;
    private EmbeddedServer server;
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
        properties.put("snapflow.launch.backend", "kubernetes");
        properties.put("snapflow.launch.kubernetes.namespace", NAMESPACE);
        properties.put("snapflow.launch.s3.endpoint", "http://minio.storage.svc:9000");
        properties.put("snapflow.launch.s3.access-key", "snapflow");
        properties.put("snapflow.launch.s3.secret-key", "snapflow-secret-key");
        ApplicationContext context = ApplicationContext.builder().properties(properties).singletons(client).start();
        server = context.getBean(EmbeddedServer.class).start();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.getApplicationContext().close();
        }
        sink.close();
        issuer.close();
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

    private Job job(JobArguments arguments) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).withName(arguments.jobId().value()).get();
    }

    private List<CloudEvent> sent(String type, JobArguments arguments) {
        return sink.events(event -> event.getType().equals(type) && arguments.processId().equals(event.getSubject()));
    }

    @Test
    void jobRequestBecomesAJobAndItsOomKilledDriverAJobStatusEvent() throws Exception {
        JobArguments arguments = TestJobs.arguments(UUID.randomUUID().toString(), 2, 1, "scripted", "{}");
        CloudEvent request = Events.newEvent(JobRequested.of(arguments, 900, Instant.now()))
                .source(EventSources.ENQUEUE).id("job-" + arguments.jobId()).build();

        assertThat(post(request).statusCode()).isEqualTo(202);
        assertThat(post(request).statusCode()).isEqualTo(202);

        assertThat(client.batch().v1().jobs().inNamespace(NAMESPACE)
                .withLabel("snapflow.dev/process", arguments.processId()).list().getItems()).hasSize(1);
        Job job = job(arguments);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900L);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
                .isEqualTo("ghcr.io/snapflow/spark-jobs:test");
        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(arguments.jobId() + "-secret").get();
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("callback-token")), StandardCharsets.UTF_8))
                .isEqualTo(JobTokens.fromSecret(HMAC_KEY).mint(arguments.jobId(), 1));
        assertThat(sent(EventTypes.JOB_LAUNCHED, arguments)).hasSize(2).allSatisfy(event -> {
            JobLaunched launched = Events.read(event, JobLaunched.class);
            assertThat(launched.backend()).isEqualTo("kubernetes");
            assertThat(launched.backendRef()).isEqualTo(NAMESPACE + "/" + arguments.jobId());
        });

        // The Job controller's part: the driver pod, killed for memory.
        String pod = arguments.jobId() + "-q8w4z";
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(pod).withLabels(job.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec()).build()).create();
        client.pods().inNamespace(NAMESPACE).withName(pod).editStatus(current -> new PodBuilder(current)
                .withNewStatus().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder()
                        .withName("driver").withNewState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                        .endTerminated().endState().build()).endStatus().build());

        await().atMost(Duration.ofSeconds(30)).until(() -> !sent(EventTypes.JOB_STATUS, arguments).isEmpty());
        CloudEvent status = sent(EventTypes.JOB_STATUS, arguments).getFirst();
        JobStatusReport report = Events.read(status, JobStatusReport.class);
        assertThat(report.jobId()).isEqualTo(arguments.jobId().value());
        assertThat(report.state()).isEqualTo(JobState.FAILED);
        assertThat(report.error().errorClass()).isEqualTo(ErrorClass.RESOURCE_EXHAUSTED);
        assertThat(report.error().message()).contains("OOMKilled");
        assertThat(report.reporter()).isEqualTo("kubernetes");
        assertThat(status.getSource()).isEqualTo(EventSources.LAUNCH);
        assertThat(Events.partitionKey(status)).contains("acme/orders");
    }

    @Test
    void processCancelledDeletesItsJobs() throws Exception {
        JobArguments arguments = TestJobs.arguments(UUID.randomUUID().toString(), 1, 1, "scripted", "{}");
        post(Events.newEvent(JobRequested.of(arguments, 900, Instant.now())).source(EventSources.ENQUEUE).build());
        assertThat(job(arguments)).isNotNull();

        HttpResponse<String> response = post(Events.newEvent(new ProcessCancelled(arguments.processId(), "acme",
                "orders", List.of(arguments.jobId().value()), null, Instant.now())).source(EventSources.VALIDATE).build());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(job(arguments)).isNull();
        assertThat(sent(EventTypes.JOB_STATUS, arguments)).isEmpty();
    }
}
