package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the job does with bad requests, missing inputs, repeats and an unreachable callback. */
@ExtendWith(LocalStackExtension.class)
class JobFailureTest {
    private static PipelineFixture pipeline;
    private static JobHarness harness;

    @BeforeAll
    static void setUp(LocalStack stack) {
        harness = JobHarness.shared(S3Target.of(stack.s3()));
        pipeline = PipelineFixture.shared(harness);
    }

    @Test
    void aMissingInputManifestFailsWithMissingInputAndWritesNothing() {
        SnapshotRef ref = JobHarness.newRef("orders");
        S3Uri absent = new S3Uri(harness.target.bucket(), StorageLayout.rawSnapshotManifestKey(ref));
        int startsBefore = harness.spark.starts();

        JobHarness.JobRun run = harness.run(harness.arguments(ref, "ingest", "{}", absent, Tier.BRONZE));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.reports()).extracting(JobStatusReport::state).containsExactly(JobState.FAILED);
        assertThat(run.last().error().errorClass()).isEqualTo(ErrorClass.MISSING_INPUT);
        assertThat(run.last().error().message()).contains(absent.toString());
        assertThat(harness.list(StorageLayout.versionPrefix(ref))).isEmpty();
        assertThat(harness.spark.starts()).isEqualTo(startsBefore);
    }

    @Test
    void invalidParamsFailBeforeSparkStartsAndNameTheField() {
        S3Uri silver = PipelineFixture.outputOf(pipeline.clean());
        int startsBefore = harness.spark.starts();
        JobHarness.JobRun run = harness.run(harness.arguments(pipeline.ref, "aggregate",
                "{\"groupBy\": [\"country\"], \"aggregations\": [{\"function\": \"median\", \"column\": \"total_amount\", \"as\": \"m\"}]}",
                silver, Tier.GOLD));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.reports()).extracting(JobStatusReport::state).containsExactly(JobState.FAILED);
        assertThat(run.last().error().errorClass()).isEqualTo(ErrorClass.INVALID_PARAMS);
        assertThat(run.last().error().message()).contains("aggregations[0].function");
        assertThat(harness.spark.starts()).isEqualTo(startsBefore);
        assertThat(harness.exists(run.outputManifestUri())).isFalse();
    }

    @Test
    void paramsNamingAColumnTheInputLacksFailBeforeSparkStarts() {
        S3Uri silver = PipelineFixture.outputOf(pipeline.clean());
        int startsBefore = harness.spark.starts();
        JobHarness.JobRun run = harness.run(harness.arguments(pipeline.ref, "aggregate",
                "{\"groupBy\": [\"region\"], \"aggregations\": [{\"function\": \"count\", \"as\": \"n\"}]}",
                silver, Tier.GOLD));

        assertThat(run.last().error().errorClass()).isEqualTo(ErrorClass.INVALID_PARAMS);
        assertThat(run.last().error().message()).contains("groupBy", "'region'");
        assertThat(harness.spark.starts()).isEqualTo(startsBefore);
    }

    @Test
    void anOutputPrefixThatDoesNotMatchTheDerivedOutputIdIsRejected() {
        JobArguments derived = harness.arguments(pipeline.ref, "ingest", "{}", pipeline.raw.manifestUri(), Tier.BRONZE);
        String elsewhere = "s3://" + harness.target.bucket() + "/"
                + StorageLayout.outputPrefix(pipeline.ref, Tier.BRONZE, "ingest-0000000000000000");
        JobArguments wrong = new JobArguments(derived.tenant(), derived.entity(), derived.dataVersion(), derived.action(),
                derived.paramsJson(), derived.inputManifest(), elsewhere, derived.processId(), 1, 1, derived.callbackUrl());

        JobHarness.JobRun run = harness.run(wrong);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.last().error().errorClass()).isEqualTo(ErrorClass.INVALID_PARAMS);
        assertThat(run.last().error().message()).contains("--output-prefix", derived.outputPrefix());
    }

    @Test
    void aRepeatedIdenticalRequestIsReportedCachedWithoutStartingSpark() {
        JobHarness.JobRun first = pipeline.ingest();
        int startsBefore = harness.spark.starts();
        JobArguments again = harness.arguments(pipeline.ref, "ingest", PipelineFixture.exampleParams("ingest"),
                pipeline.raw.manifestUri(), Tier.BRONZE);

        JobHarness.JobRun repeat = harness.run(again);

        assertThat(repeat.exitCode()).isZero();
        assertThat(repeat.reports()).extracting(JobStatusReport::state).containsExactly(JobState.SUCCEEDED);
        assertThat(repeat.last().cached()).isTrue();
        assertThat(repeat.last().outputManifest()).isEqualTo(first.last().outputManifest());
        assertThat(repeat.last().metrics().get("rowsOut")).isEqualTo(first.last().metrics().get("rowsOut"));
        assertThat(harness.spark.starts()).isEqualTo(startsBefore);
    }

    @Test
    void paramsThatDifferOnlyInKeyOrderNameTheSameOutputButOtherParamsDoNot() {
        S3Uri input = PipelineFixture.outputOf(pipeline.clean());
        JobArguments a = harness.arguments(pipeline.ref, "compact", "{\"targetFileBytes\": 2048}", input, Tier.SILVER);
        JobArguments b = harness.arguments(pipeline.ref, "compact", "{ \"targetFileBytes\" : 2048 }", input, Tier.SILVER);
        JobArguments c = harness.arguments(pipeline.ref, "compact", "{\"targetFileBytes\": 4096}", input, Tier.SILVER);
        assertThat(a.outputPrefix()).isEqualTo(b.outputPrefix()).isNotEqualTo(c.outputPrefix());
    }

    @Test
    void anUnreachableCallbackIsRetriedUntilItTakesTheReport() {
        SnapshotRef ref = JobHarness.newRef("orders");
        S3Uri absent = new S3Uri(harness.target.bucket(), StorageLayout.rawSnapshotManifestKey(ref));
        JobArguments arguments = harness.arguments(ref, "ingest", "{}", absent, Tier.BRONZE);
        harness.callbacks.refuseNext(arguments.jobId(), 2);

        JobHarness.JobRun run = harness.run(arguments);

        assertThat(run.reports()).extracting(JobStatusReport::state).containsExactly(JobState.FAILED);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void whenTheCallbackNeverTakesTheReportTheExitCodeStillTellsTheOutcome() {
        SnapshotRef ref = JobHarness.newRef("orders");
        S3Uri absent = new S3Uri(harness.target.bucket(), StorageLayout.rawSnapshotManifestKey(ref));
        JobArguments arguments = harness.arguments(ref, "ingest", "{}", absent, Tier.BRONZE);
        harness.callbacks.refuseNext(arguments.jobId(), 100);

        JobHarness.JobRun run = harness.run(arguments);

        assertThat(run.reports()).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void wrongArgumentsExitWithUsageAndAOneLineReason() {
        JobArguments valid = harness.withCallback(harness.arguments(pipeline.ref, "ingest", "{}", pipeline.raw.manifestUri(), Tier.BRONZE));
        Map<String, String> env = Map.of(JobArguments.CALLBACK_TOKEN_ENV, JobHarness.TOKEN);

        assertUsage(env, List.of("--tenant", "acme"), "missing argument --entity");
        List<String> badTenant = new ArrayList<>(valid.toArgs());
        badTenant.set(1, "../etc");
        assertUsage(env, badTenant, "--tenant");
        List<String> badStep = new ArrayList<>(valid.toArgs());
        badStep.set(badStep.indexOf("--step") + 1, "first");
        assertUsage(env, badStep, "--step must be a whole number");
        List<String> unknown = new ArrayList<>(valid.toArgs());
        unknown.addAll(List.of("--callback-token", "secret"));
        assertUsage(env, unknown, "unknown argument '--callback-token'");
        assertUsage(Map.of(), valid.toArgs(), JobArguments.CALLBACK_TOKEN_ENV + " is not set");
        assertThat(harness.callbacks.reportsOf(valid.jobId())).isEmpty();
    }

    @Test
    void helpListsEveryArgumentAndTheEnvironment() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new JobRunner(Map.of(), harness.spark, Clock.systemUTC(), HttpStatusReporter.RetryPolicy.DEFAULT,
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(List.of("--help"));
        assertThat(exit).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        JobArguments.flagOrder().forEach(flag -> assertThat(help).contains(flag));
        assertThat(help).contains(JobArguments.CALLBACK_TOKEN_ENV, S3Settings.ENDPOINT_ENV, S3Settings.ACCESS_KEY_ENV);
    }

    private static void assertUsage(Map<String, String> env, List<String> argv, String reason) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int startsBefore = harness.spark.starts();
        int exit = new JobRunner(env, harness.spark, Clock.systemUTC(), HttpStatusReporter.RetryPolicy.DEFAULT,
                System.out, new PrintStream(err, true, StandardCharsets.UTF_8)).run(argv);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(ExitCodes.USAGE);
        assertThat(message).contains(reason).startsWith("snapflow-job: ");
        assertThat(message.strip().lines()).hasSize(1);
        assertThat(harness.spark.starts()).isEqualTo(startsBefore);
    }
}
