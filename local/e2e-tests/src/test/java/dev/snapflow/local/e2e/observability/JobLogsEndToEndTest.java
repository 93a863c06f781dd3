package dev.snapflow.local.e2e.observability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.local.cli.SnapflowCli;
import dev.snapflow.local.e2e.harness.RunningSnapflow;
import dev.snapflow.local.e2e.harness.RunningSnapflowExtension;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On the real stack: a step that fails in Spark leaves its driver log and Spark event log in object storage, and
 * after its job's JVM is gone the tenant reads the log through the API (whole, in slices, and its last lines in the
 * process status) and through the CLI; another tenant gets 404, and a wrong offset or limit a 400 naming it.
 */
@ExtendWith(RunningSnapflowExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobLogsEndToEndTest {
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10); // one Spark job on a shared 2-core machine

    private final RunningSnapflow snapflow;
    private final S3Client s3;
    private final String bucket;
    private RunningSnapflow.Tenant tenant;
    private RunningSnapflow.Tenant stranger;
    private JsonNode failed;
    private String logPath;

    JobLogsEndToEndTest(RunningSnapflow snapflow) {
        this.snapflow = snapflow;
        this.s3 = snapflow.stack().s3().newClient();
        this.bucket = snapflow.stack().s3().bucket();
    }

    @BeforeAll
    void aStepFailsInSpark(@TempDir Path dir) throws Exception {
        tenant = snapflow.newTenant("logs");
        stranger = snapflow.newTenant("stranger");
        Path csv = Files.writeString(dir.resolve("orders.csv"), "id\n1\nnot-a-number\n");
        new SnapshotPublisher(s3, bucket).publishFiles(new SnapshotRef(tenant.id(), "orders", "v1"), List.of(csv));
        HttpResponse<String> accepted = snapflow.send(request(tenant, "/v1/processes").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\","
                        + "\"params\":{\"schema\":[{\"name\":\"id\",\"type\":\"int\"}],\"onMalformed\":\"fail\"}}")).build());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        String id = RunningSnapflow.json(accepted.body()).path("id").asText();
        failed = await().atMost(STEP_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> RunningSnapflow.json(get(tenant, "/v1/processes/" + id).body()),
                        p -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(p.path("state").asText()));
        assertThat(failed.path("state").asText()).as(failed.toPrettyString()).isEqualTo("FAILED");
        logPath = "/v1/processes/" + id + "/steps/1/attempts/" + failed.path("steps").get(0).path("attempts").asInt() + "/log";
        // The job's JVM is gone: what follows is read from object storage, not from a live process.
        String jobId = JobId.of(id, 1, failed.path("steps").get(0).path("attempts").asInt()).value();
        await().atMost(Duration.ofMinutes(1)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.isAlive() && p.info().commandLine().orElse("").contains(jobId)));
    }

    @AfterAll
    void closeClient() {
        s3.close();
    }

    private HttpRequest.Builder request(RunningSnapflow.Tenant who, String path) {
        return HttpRequest.newBuilder(snapflow.url("validate", path)).header("Authorization", "Bearer " + who.apiKey());
    }

    private HttpResponse<String> get(RunningSnapflow.Tenant who, String path) {
        return snapflow.send(request(who, path).GET().build());
    }

    private String processId() {
        return failed.path("id").asText();
    }

    @Test
    void theFailedStepsLogIsReadableThroughTheApiAfterItsJobIsGone() {
        HttpResponse<String> log = get(tenant, logPath);

        assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
        assertThat(log.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(log.body()).startsWith("snapflow-job: sf-").contains("FAILED INVALID_DATA");
        assertThat(log.headers().firstValueAsLong("Snapflow-Log-Size")).hasValue((long) log.body().length());
        assertThat(log.headers().firstValueAsLong("Snapflow-Next-Offset")).hasValue((long) log.body().length());

        HttpResponse<String> slice = get(tenant, logPath + "?offset=10&limit=20");
        assertThat(slice.statusCode()).isEqualTo(200);
        assertThat(slice.body()).isEqualTo(log.body().substring(10, 30));
        assertThat(slice.headers().firstValueAsLong("Snapflow-Next-Offset")).hasValue(30L);

        HttpResponse<String> pastTheEnd = get(tenant, logPath + "?offset=" + (log.body().length() + 100));
        assertThat(pastTheEnd.statusCode()).isEqualTo(200);
        assertThat(pastTheEnd.body()).isEmpty();
        assertThat(pastTheEnd.headers().firstValueAsLong("Snapflow-Log-Size")).hasValue((long) log.body().length());
    }

    @Test
    void theProcessShowsTheLastLinesOfTheFailedStepsLogAndLinksItsLogs() {
        JsonNode step = RunningSnapflow.json(get(tenant, "/v1/processes/" + processId()).body()).path("steps").get(0);
        JsonNode attempt = step.path("attemptHistory").get(step.path("attemptHistory").size() - 1);

        assertThat(step.path("logTail").toString()).contains("FAILED INVALID_DATA");
        assertThat(attempt.path("log").asText()).isEqualTo(logPath);
        String events = StorageLayout.sparkEventLogPrefix(tenant.id(), processId(), 1, attempt.path("attempt").asInt());
        assertThat(attempt.path("sparkEventLog").asText()).isEqualTo("s3://" + bucket + "/" + events);
        // Folder markers (empty) besides Spark's file: s3a writes them, as the job does for the folder itself.
        assertThat(s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(events)).contents().stream().toList())
                .as("Spark's event log of the failed run, complete")
                .anySatisfy(o -> {
                    assertThat(o.size()).isPositive();
                    assertThat(o.key()).doesNotEndWith(".inprogress");
                });
    }

    @Test
    void theCliPrintsTheLogAndTheStatusWithItsLastLines() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SnapflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String url = snapflow.url("validate", "").toString();

        assertThat(cli.execute("logs", processId(), "--url", url, "--api-key", tenant.apiKey())).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("snapflow-job: sf-").contains("FAILED INVALID_DATA");

        out.getBuffer().setLength(0);
        assertThat(cli.execute("logs", processId(), "--follow", "--url", url, "--api-key", tenant.apiKey()))
                .as("follow ends because the step has ended").isZero();
        assertThat(out.toString()).contains("FAILED INVALID_DATA");

        out.getBuffer().setLength(0);
        assertThat(cli.execute("status", processId(), "--url", url, "--api-key", tenant.apiKey())).isZero();
        assertThat(out.toString()).contains("last lines of its log:", "| snapflow-job: FAILED INVALID_DATA");

        assertThat(cli.execute("logs", processId(), "--url", url, "--api-key", stranger.apiKey())).isNotZero();
        assertThat(err.toString()).contains("HTTP 404");
    }

    @Test
    void anotherTenantGets404AndNeverTheLog() {
        HttpResponse<String> log = get(stranger, logPath);

        assertThat(log.statusCode()).isEqualTo(404);
        assertThat(log.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(log.body()).doesNotContain("INVALID_DATA");
        assertThat(get(stranger, "/v1/processes/" + processId()).statusCode()).isEqualTo(404);
        assertThat(snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", logPath)).GET().build()).statusCode())
                .as("no API key").isEqualTo(401);
    }

    @Test
    void anAttemptWithoutALogIs404() {
        HttpResponse<String> none = get(tenant, "/v1/processes/" + processId() + "/steps/1/attempts/9/log");

        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(RunningSnapflow.json(none.body()).path("detail").asText()).contains("no log of step 1 attempt 9");
    }

    @Test
    void aWrongOffsetLimitStepOrAttemptIsA400NamingIt() {
        String base = "/v1/processes/" + processId() + "/steps/";
        assertBadRequest(base + "1/attempts/1/log?offset=-1", "offset");
        assertBadRequest(base + "1/attempts/1/log?offset=abc", "offset");
        assertBadRequest(base + "1/attempts/1/log?limit=0", "limit");
        assertBadRequest(base + "1/attempts/1/log?limit=1048577", "limit");
        assertBadRequest(base + "0/attempts/1/log", "step");
        assertBadRequest(base + "1/attempts/x/log", "attempt");
    }

    private void assertBadRequest(String path, String field) {
        HttpResponse<String> response = get(tenant, path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(RunningSnapflow.json(response.body()).path("field").asText()).as(path).isEqualTo(field);
    }
}
