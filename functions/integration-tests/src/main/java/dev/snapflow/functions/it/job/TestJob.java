package dev.snapflow.functions.it.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobExitCodes;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.StorageLayout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stand-in for a Spark job, launched by the real launch function like one: same command line
 * ({@link JobArguments}), same token env, same status reports to the real callback, same committed output
 * (data file, then manifest). Its params choose what it does:
 * {@code {"behaviour":"succeed|fail|slow", "failTimes":n, "errorClass":"TRANSIENT", "message":"...", "sleepMs":n,
 * "reportWindowMs":n}} ({@code reportWindowMs}: how long a report is retried while callback is unreachable, 90 s
 * unless given). Like the Spark job, a progress report that does not get through is skipped, and a job whose
 * SUCCEEDED report does not get through still exits 0: its committed manifest says it succeeded.
 * Every start leaves a marker object {@code it-runs/{jobId}/{uuid}} so tests can count job starts ({@link TestJobRuns}).
 */
public final class TestJob {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** How long a report is retried while callback is unreachable (a restarted callback is back within this). */
    private static final Duration REPORT_RETRY_WINDOW = Duration.ofSeconds(90);

    private final JobArguments args;
    private final String token;
    private final S3Client s3;
    private long sequence;
    private Duration reportWindow = REPORT_RETRY_WINDOW;

    private TestJob(JobArguments args, String token, S3Client s3) {
        this.args = args;
        this.token = token;
        this.s3 = s3;
    }

    public static void main(String[] argv) throws Exception {
        JobArguments args = JobArguments.parse(Arrays.asList(argv));
        String token = System.getenv(JobArguments.CALLBACK_TOKEN_ENV);
        S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(System.getenv("SNAPFLOW_S3_ENDPOINT")))
                .region(Region.of(System.getenv("SNAPFLOW_S3_REGION")))
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        System.getenv("AWS_ACCESS_KEY_ID"), System.getenv("AWS_SECRET_ACCESS_KEY"))))
                .build();
        int exit = new TestJob(args, token, s3).run();
        s3.close();
        System.exit(exit);
    }

    private int run() throws Exception {
        JsonNode given = JSON.readTree(args.paramsJson());
        if (given.has("reportWindowMs")) {
            reportWindow = Duration.ofMillis(given.path("reportWindowMs").asLong());
        }
        if (progress() == 409) {
            return JobExitCodes.STOPPED;
        }
        S3Uri output = S3Uri.parse("outputPrefix", args.outputPrefix());
        s3.putObject(b -> b.bucket(output.bucket()).key(TestJobRuns.MARKER_PREFIX + args.jobId() + "/" + UUID.randomUUID()),
                RequestBody.fromString(Instant.now().toString()));
        JsonNode params = JSON.readTree(args.paramsJson());
        String behaviour = params.path("behaviour").asText("succeed");
        int failTimes = params.path("failTimes").asInt(0);
        if ("fail".equals(behaviour) || args.attempt() <= failTimes) {
            ErrorClass errorClass = ErrorClass.valueOf(params.path("errorClass").asText("TRANSIENT"));
            String message = params.path("message").asText("test job failure") + " (attempt " + args.attempt() + ")";
            report(JobState.FAILED, null, new JobStatusReport.JobError(errorClass, message));
            return 1;
        }
        if ("slow".equals(behaviour)) {
            long until = System.currentTimeMillis() + params.path("sleepMs").asLong(60_000);
            while (System.currentTimeMillis() < until) {
                Thread.sleep(500);
                if (progress() == 409) {
                    System.out.println("callback says the process ended; stopping");
                    return JobExitCodes.STOPPED;
                }
            }
        }
        String manifestUri = commitOutput(output);
        try {
            report(JobState.SUCCEEDED, manifestUri, null);
        } catch (IOException unreachable) {
            System.out.println("SUCCEEDED " + manifestUri + " [callback not reached]");
        }
        return 0;
    }

    /** A RUNNING report; one that does not get through is skipped (-1), as the Spark job's progress is. */
    private int progress() throws InterruptedException {
        try {
            return report(JobState.RUNNING, null, null);
        } catch (IOException unreachable) {
            return -1;
        }
    }

    private String commitOutput(S3Uri output) {
        String dataKey = output.key() + "part-0000.jsonl";
        byte[] data = ("{\"from\":\"" + args.inputManifest() + "\"}\n").getBytes(StandardCharsets.UTF_8);
        s3.putObject(b -> b.bucket(output.bucket()).key(dataKey), RequestBody.fromBytes(data));
        String tier = output.key().split("/")[3];
        String outputId = output.key().split("/")[4];
        Manifest manifest = new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_OUTPUT, args.tenant(),
                args.entity(), args.dataVersion(), tier, outputId, "jsonl",
                List.of(new Manifest.DataFile(dataKey, data.length, 1L, null)), 1L, data.length, List.of(),
                new Manifest.Producer("snapflow-test-job", "1", args.processId(), args.step(), args.attempt(),
                        args.action(), Map.of()), Instant.now(),
                List.of(S3Uri.parse("inputManifest", args.inputManifest()).key()), Map.of("rowsOut", 1), List.of(), null);
        String manifestKey = StorageLayout.manifestKeyIn(output.key());
        s3.putObject(b -> b.bucket(output.bucket()).key(manifestKey), RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
        return "s3://" + output.bucket() + "/" + manifestKey;
    }

    /**
     * Posts one report; returns the HTTP status (callback's 409 means: stop). Like the Spark job's reporter, it
     * retries while callback cannot be reached or answers 5xx (a callback restart must not fail the job).
     */
    private int report(JobState state, String outputManifest, JobStatusReport.JobError error) throws IOException,
            InterruptedException {
        JobStatusReport report = new JobStatusReport(args.jobId().value(), args.attempt(), state, ++sequence,
                Instant.now(), state == JobState.RUNNING ? new JobStatusReport.Progress(0, 1, 0, 1) : null,
                outputManifest, state == JobState.SUCCEEDED ? Boolean.FALSE : null,
                state == JobState.SUCCEEDED ? Map.of("rowsOut", 1, "durationMs", 1) : null, error,
                JobStatusReport.REPORTER_JOB);
        HttpRequest request = HttpRequest.newBuilder(URI.create(args.callbackUrl()))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(report))).build();
        long giveUpAt = System.nanoTime() + reportWindow.toNanos();
        long backoffMillis = 250;
        while (true) {
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                System.out.println("reported " + state + " #" + sequence + " -> " + response.statusCode() + " " + response.body());
                if (response.statusCode() < 500 || System.nanoTime() > giveUpAt) {
                    return response.statusCode();
                }
            } catch (IOException unreachable) {
                System.out.println("report " + state + " #" + sequence + " failed: " + unreachable);
                if (System.nanoTime() > giveUpAt) {
                    throw unreachable;
                }
            }
            Thread.sleep(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, 4_000);
        }
    }
}
