package dev.snapflow.local.e2e.security;

import dev.snapflow.contracts.events.EventSources;
import dev.snapflow.contracts.events.Events;
import dev.snapflow.contracts.events.JobRequested;
import dev.snapflow.contracts.events.ProcessCancelled;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.local.e2e.harness.RunningSnapflow;
import dev.snapflow.local.e2e.harness.RunningSnapflow.Tenant;
import dev.snapflow.local.e2e.harness.RunningSnapflowExtension;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12, "Inside the cluster": events forged by anyone who can reach a function over HTTP are not handled.
 * On the embedded default (Kafka transport) the functions consume their topics and serve no {@code POST /} at
 * all, whatever credential the forger shows; on Knative the same entry requires the OIDC token of an allowed
 * sender (functions/shared DeliveryAuthenticationTest). Each test forges against a process that is running, and
 * proves that the process ends as its real jobs make it end.
 */
@ExtendWith(RunningSnapflowExtension.class)
class InClusterEventsAttackTest {
    /** A Spark ingest of 50 rows; generous because the machine may be shared (measured: up to 4.5 min under load). */
    private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(10);
    /** No credential, a made-up bearer token, and a token-shaped unsigned JWT ({"alg":"none"}). */
    private static final List<String> FORGED_CREDENTIALS = Arrays.asList(null, "Bearer forged-token",
            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c25hcGZsb3c6YXR0YWNrZXIifQ.");

    private final RunningSnapflow snapflow;

    InClusterEventsAttackTest(RunningSnapflow snapflow) {
        this.snapflow = snapflow;
    }

    private record Running(Tenant tenant, String processId) {
    }

    /** An ingest process: its Spark job takes seconds to start, so the forgeries arrive while it runs. */
    private Running runningProcess(String prefix) throws Exception {
        Tenant tenant = snapflow.newTenant(prefix);
        try (S3Client s3 = snapflow.stack().s3().newClient()) {
            new SnapshotPublisher(s3, snapflow.stack().s3().bucket())
                    .publishGenerated(new SnapshotRef(tenant.id(), "orders", "2026-11-21"), new OrdersSpec(7, 50, 1));
        }
        HttpResponse<String> submitted = snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", "/v1/processes"))
                .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"entity\":\"orders\",\"dataVersion\":\"2026-11-21\",\"action\":\"ingest\",\"params\":{}}"))
                .build());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        return new Running(tenant, RunningSnapflow.json(submitted.body()).path("id").asText());
    }

    private String state(Running process) {
        HttpResponse<String> response = snapflow.send(HttpRequest.newBuilder(
                        snapflow.url("validate", "/v1/processes/" + process.processId()))
                .header("Authorization", "Bearer " + process.tenant().apiKey()).GET().build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return RunningSnapflow.json(response.body()).path("state").asText();
    }

    private void awaitSucceeded(Running process) {
        await("process " + process.processId() + " terminal").atMost(PROCESS_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state(process)));
        assertThat(state(process)).as("how the process ended: as its real jobs made it end").isEqualTo("SUCCEEDED");
    }

    /** Posts the event in the CloudEvents binary HTTP binding to {@code POST /} of a function, as a forger would. */
    private HttpResponse<String> forge(String function, CloudEvent event, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(snapflow.url(function, "/"))
                .header("ce-specversion", event.getSpecVersion().toString()).header("ce-id", event.getId())
                .header("ce-type", event.getType()).header("ce-source", event.getSource().toString())
                .header("Content-Type", event.getDataContentType());
        if (event.getSubject() != null) {
            request.header("ce-subject", event.getSubject());
        }
        for (String name : event.getExtensionNames()) {
            request.header("ce-" + name, String.valueOf(event.getExtension(name)));
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return snapflow.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(event.getData().toBytes())).build());
    }

    private void assertNotServed(String function, CloudEvent event) {
        for (String credential : FORGED_CREDENTIALS) {
            HttpResponse<String> response = forge(function, event, credential);
            assertThat(response.statusCode()).as("%s answering a forged %s with credential %s: %s", function,
                    event.getType(), credential, response.body()).isIn(404, 405);
        }
    }

    @Test
    void forgedJobStatusPostedToCallbackDoesNotFailARunningJob() throws Exception {
        Running process = runningProcess("forged-status");
        JobId job = JobId.of(process.processId(), 1, 1);
        CloudEvent forged = Events.newEvent(new JobStatusReport(job.value(), 1, JobState.FAILED, 1_000_000,
                        Instant.now(), null, null, null, null,
                        new JobStatusReport.JobError(ErrorClass.INVALID_DATA, "forged failure"), JobStatusReport.REPORTER_JOB))
                .source(EventSources.LAUNCH).partitionKey(process.tenant().id() + "/orders").build();

        assertNotServed("callback", forged);

        awaitSucceeded(process);
        assertThat(snapflow.count("SELECT count(*) FROM attempts WHERE job_id = '" + job.value() + "' AND state = 'FAILED'"))
                .isZero();
    }

    @Test
    void forgedProcessCancelledPostedToEnqueueAndLaunchDoesNotStopARunningProcess() throws Exception {
        Running process = runningProcess("forged-cancel");
        JobId job = JobId.of(process.processId(), 1, 1);
        CloudEvent forged = Events.newEvent(new ProcessCancelled(process.processId(), process.tenant().id(), "orders",
                        List.of(job.value()), "forged cancellation", Instant.now()))
                .source(EventSources.VALIDATE).partitionKey(process.tenant().id() + "/orders").build();

        assertNotServed("enqueue", forged);
        assertNotServed("launch", forged);

        awaitSucceeded(process);
        assertThat(snapflow.count("SELECT count(*) FROM steps WHERE process_id = '" + process.processId()
                + "' AND state = 'SUCCEEDED'")).isEqualTo(1);
    }

    @Test
    void forgedJobRequestedPostedToLaunchStartsNoJobAndHandsNoTokenToTheForgersUrl() throws Exception {
        AtomicInteger tokenDeliveries = new AtomicInteger();
        HttpServer forgersReceiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        forgersReceiver.createContext("/", exchange -> {
            tokenDeliveries.incrementAndGet();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        forgersReceiver.start();
        try {
            Running process = runningProcess("forged-job");
            JobArguments arguments = new JobArguments(process.tenant().id(), "orders", "2026-11-21", "ingest", "{}", "s3://" + snapflow.stack().s3().bucket() + "/" + process.tenant().id()
                    + "/orders/2026-11-21/raw/_manifest.json",
                    "s3://" + snapflow.stack().s3().bucket() + "/" + process.tenant().id() + "/orders/2026-11-21/bronze/forged/",
                    process.processId(), 7, 1,
                    "http://127.0.0.1:" + forgersReceiver.getAddress().getPort() + "/v1/jobs/forged/status");
            CloudEvent forged = Events.newEvent(JobRequested.of(arguments, 60, Instant.now()))
                    .source(EventSources.ENQUEUE).build();

            assertNotServed("launch", forged);

            // The real jobs went through launch after the forgery: had it been handled, its job would have started too.
            awaitSucceeded(process);
            JobId forgedJob = JobId.of(process.processId(), 7, 1);
            assertThat(Files.exists(snapflow.workDir().resolve("jobs").resolve(forgedJob.value())))
                    .as("a job directory of the forged job").isFalse();
            assertThat(snapflow.count("SELECT count(*) FROM attempts WHERE job_id = '" + forgedJob.value() + "'")).isZero();
            assertThat(tokenDeliveries).as("requests reaching the forger's callback URL").hasValue(0);
        } finally {
            forgersReceiver.stop(0);
        }
    }
}
