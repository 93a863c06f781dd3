package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.OutputId;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import org.junit.jupiter.api.AfterAll;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The job as the local backend runs it: a child JVM started from the shaded jar and spark-classpath.txt with
 * {@link LocalJobCommand}. A child killed in the middle of writing leaves files nobody can see (no manifest);
 * the retry commits cleanly, listing only its own files.
 */
@ExtendWith(LocalStackExtension.class)
class CrashedAttemptIT {
    private static S3Target target;
    private static S3Client s3;
    private static CallbackReceiver callbacks;
    private static LocalJobCommand command;

    @BeforeAll
    static void setUp(LocalStack stack) throws IOException {
        target = S3Target.of(stack.s3());
        s3 = target.settings().newClient();
        callbacks = new CallbackReceiver(JobHarness.TOKEN);
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        command = new LocalJobCommand(java, Path.of(System.getProperty("snapflow.job.jar")),
                LocalJobCommand.readClasspathFile(Path.of(System.getProperty("snapflow.spark.classpath.file"))), "1g");
    }

    @AfterAll
    static void tearDown() {
        callbacks.close();
        s3.close();
    }

    @Test
    void aJobKilledMidWriteLeavesNothingVisibleAndTheRetryCommitsCleanly(@TempDir Path logs) throws Exception {
        SnapshotRef ref = new SnapshotRef("acme", "orders", "v-" + UUID.randomUUID().toString().substring(0, 8));
        OrdersSpec spec = new OrdersSpec(11, 160_000, 8);
        PublishedSnapshot raw = new SnapshotPublisher(s3, target.bucket()).publishGenerated(ref, spec);
        String processId = UUID.randomUUID().toString();
        JobArguments first = arguments(ref, raw.manifestUri(), processId, 1);
        S3Uri manifest = outputManifest(first);
        String attempts = manifest.key().replace(StorageLayout.MANIFEST_FILE, StorageLayout.ATTEMPTS_DIR + "/");

        Process crashing = start(first, logs.resolve("attempt-1.log"));
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                    .until(() -> list(attempts).stream().anyMatch(o -> o.key().endsWith(".parquet")) || !crashing.isAlive());
        } finally {
            crashing.destroyForcibly();
            crashing.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(list(attempts)).as("the killed attempt had started writing").isNotEmpty();
        assertThat(driverLog(first)).as("the killed attempt's driver log was shipped while it ran")
                .contains("snapflow-job: " + first.jobId() + " ingest");
        assertThat(exists(manifest)).as("a killed attempt commits nothing").isFalse();
        assertThat(callbacks.reportsOf(first.jobId())).extracting(JobStatusReport::state).doesNotContain(JobState.SUCCEEDED);

        JobArguments retry = arguments(ref, raw.manifestUri(), processId, 2);
        Process retrying = start(retry, logs.resolve("attempt-2.log"));
        assertThat(retrying.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(retrying.exitValue()).as(Files.readString(logs.resolve("attempt-2.log"))).isZero();

        List<JobStatusReport> reports = callbacks.reportsOf(retry.jobId());
        assertThat(reports).extracting(JobStatusReport::state).startsWith(JobState.RUNNING).endsWith(JobState.SUCCEEDED);
        Manifest committed = new S3ManifestStore(s3).read(manifest).orElseThrow();
        assertThat(committed.rowCount()).isEqualTo(spec.rows());
        assertThat(committed.producer().attempt()).isEqualTo(2);
        String retryPrefix = attempts + retry.jobId() + "-";
        assertThat(committed.files()).isNotEmpty().allSatisfy(f -> assertThat(f.key()).startsWith(retryPrefix));
        assertThat(driverLog(retry)).as("the whole driver output, shipped at the end").contains("SUCCEEDED");
        String events = StorageLayout.sparkEventLogPrefix(ref.tenant(), processId, 1, 2);
        assertThat(list(events)).as("Spark's event log of the run, complete").anySatisfy(o -> {
            assertThat(o.key()).doesNotEndWith(".inprogress").isNotEqualTo(events);
            assertThat(o.size()).isPositive();
        });

        JobArguments repeat = arguments(ref, raw.manifestUri(), UUID.randomUUID().toString(), 1);
        Process cached = start(repeat, logs.resolve("repeat.log"));
        assertThat(cached.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(cached.exitValue()).isZero();
        assertThat(callbacks.reportsOf(repeat.jobId())).singleElement()
                .satisfies(r -> assertThat(r.cached()).isTrue());
    }

    @Test
    void thePackagedJobPrintsHelpAndRejectsAWrongArgumentWithExitCode64(@TempDir Path logs) throws Exception {
        JobArguments valid = arguments(new SnapshotRef("acme", "orders", "v1"),
                new S3Uri(target.bucket(), "acme/orders/v1/raw/_manifest.json"), UUID.randomUUID().toString(), 1);
        List<String> help = command.command(valid);
        help = new java.util.ArrayList<>(help.subList(0, help.indexOf(LocalJobCommand.MAIN_CLASS) + 1));
        help.add("--help");
        Process process = new ProcessBuilder(help).redirectErrorStream(true).redirectOutput(logs.resolve("help.log").toFile()).start();
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(logs.resolve("help.log"))).contains("--input-manifest", "SNAPFLOW_CALLBACK_TOKEN");

        List<String> wrong = new java.util.ArrayList<>(command.command(valid));
        wrong.set(wrong.indexOf("--attempt") + 1, "0");
        ProcessBuilder builder = new ProcessBuilder(wrong).redirectErrorStream(true).redirectOutput(logs.resolve("wrong.log").toFile());
        builder.environment().putAll(LocalJobCommand.environment(JobHarness.TOKEN, target.settings().toEnvironment()));
        Process rejected = builder.start();
        assertThat(rejected.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(rejected.exitValue()).isEqualTo(ExitCodes.USAGE);
        assertThat(Files.readString(logs.resolve("wrong.log"), StandardCharsets.UTF_8)).contains("--attempt must be 1 or more");
    }

    private static JobArguments arguments(SnapshotRef ref, S3Uri input, String processId, int attempt) {
        String outputId = OutputId.derive("ingest", "{}", JobVersion.current(), input.key());
        JobArguments a = new JobArguments(ref.tenant(), ref.entity(), ref.dataVersion(), "ingest", "{}", input.toString(),
                "s3://" + target.bucket() + "/" + StorageLayout.outputPrefix(ref, Tier.BRONZE, outputId), processId, 1,
                attempt, "http://placeholder/");
        return new JobArguments(a.tenant(), a.entity(), a.dataVersion(), a.action(), a.paramsJson(), a.inputManifest(),
                a.outputPrefix(), a.processId(), a.step(), a.attempt(), callbacks.urlFor(a.jobId()));
    }

    private static S3Uri outputManifest(JobArguments arguments) {
        S3Uri prefix = S3Uri.parse("outputPrefix", arguments.outputPrefix());
        return new S3Uri(prefix.bucket(), StorageLayout.manifestKeyIn(prefix.key()));
    }

    private static Process start(JobArguments arguments, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command.command(arguments))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(LocalJobCommand.environment(JobHarness.TOKEN, target.settings().toEnvironment()));
        return builder.start();
    }

    private static String driverLog(JobArguments run) {
        return s3.getObjectAsBytes(b -> b.bucket(target.bucket()).key(StorageLayout.driverLogKey(run.tenant(),
                run.jobId().processId(), run.step(), run.attempt()))).asUtf8String();
    }

    private static boolean exists(S3Uri uri) {
        return new S3ManifestStore(s3).read(uri).isPresent();
    }

    private static List<S3Object> list(String prefix) {
        return s3.listObjectsV2(ListObjectsV2Request.builder().bucket(target.bucket()).prefix(prefix).build()).contents();
    }
}
