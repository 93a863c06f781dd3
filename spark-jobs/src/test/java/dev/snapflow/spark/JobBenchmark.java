package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.OutputId;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.LocalStackOptions;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Measures the job as the local backend runs it (a child JVM per step, shaded jar + spark-classpath.txt):
 * rows/s of ingest, clean, aggregate (the refresh pipeline) and compact (of the bronze output) on generated
 * orders, and the fixed overhead (process start → first RUNNING report, and → exit, for a 10-row ingest).
 * Not a test: run it with {@code spark-jobs/bin/benchmark.sh}.
 *
 * <p>Arguments: {@code <rows>[,<rows>...] [driver heap, default 6g]}. S3 from the job's own environment
 * variables ({@code SNAPFLOW_S3_ENDPOINT}, {@code AWS_ACCESS_KEY_ID}, ...) and {@code SNAPFLOW_BENCH_BUCKET}
 * when set, else a local stack started for the run.
 */
public final class JobBenchmark {
    private final S3Settings s3Settings;
    private final String bucket;
    private final CallbackReceiver callbacks;
    private final LocalJobCommand command;
    private final Path logs;

    private JobBenchmark(S3Settings s3Settings, String bucket, LocalJobCommand command, Path logs) throws IOException {
        this.s3Settings = s3Settings;
        this.bucket = bucket;
        this.command = command;
        this.logs = logs;
        this.callbacks = new CallbackReceiver(JobHarness.TOKEN);
    }

    public static void main(String[] args) throws Exception {
        String heap = args.length > 1 ? args[1] : "6g";
        Path root = Path.of(System.getProperty("snapflow.spark-jobs.dir", "spark-jobs"));
        LocalJobCommand command = new LocalJobCommand(Path.of(ProcessHandle.current().info().command().orElseThrow()),
                Path.of(System.getProperty("snapflow.job.jar")),
                LocalJobCommand.readClasspathFile(root.resolve("target/spark-classpath.txt")), heap);
        // The job's own S3 variables when set; otherwise a local stack of its own (S3Proxy on this machine).
        LocalStack stack = System.getenv(S3Settings.ENDPOINT_ENV) == null ? LocalStack.start(LocalStackOptions.forTests()) : null;
        S3Settings s3 = stack == null ? S3Settings.fromEnvironment(System.getenv()) : S3Target.of(stack.s3()).settings();
        String bucket = stack == null ? System.getenv().getOrDefault("SNAPFLOW_BENCH_BUCKET", "snapflow-bench") : stack.s3().bucket();
        try (S3Client client = s3.newClient()) {
            if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                client.createBucket(b -> b.bucket(bucket));
            }
        }
        JobBenchmark bench = new JobBenchmark(s3, bucket, command, Files.createTempDirectory("snapflow-bench-"));
        try {
            bench.fixedOverhead();
            for (String rows : args[0].split(",")) {
                bench.pipeline(Long.parseLong(rows.replace("_", "")));
            }
        } finally {
            bench.callbacks.close();
            if (stack != null) {
                stack.close();
            }
        }
    }

    private void fixedOverhead() throws Exception {
        SnapshotRef ref = newRef();
        PublishedSnapshot raw;
        try (S3Client s3 = s3Settings.newClient()) {
            raw = new SnapshotPublisher(s3, bucket).publishGenerated(ref, new OrdersSpec(1, 10, 1));
        }
        Step step = run(ref, "ingest", "{}", raw.manifestUri(), Tier.BRONZE);
        System.out.printf(Locale.ROOT, "fixed overhead (10-row ingest): start -> first RUNNING %d ms, start -> exit %d ms%n",
                step.firstRunningMs, step.wallMs);
        Step cached = run(ref, "ingest", "{}", raw.manifestUri(), Tier.BRONZE);
        System.out.printf(Locale.ROOT, "cached repeat: start -> exit %d ms (cached=%s)%n", cached.wallMs, cached.last.cached());
    }

    private void pipeline(long rows) throws Exception {
        SnapshotRef ref = newRef();
        OrdersSpec spec = OrdersSpec.ofRows(2026, rows);
        long t0 = System.nanoTime();
        PublishedSnapshot raw;
        try (S3Client s3 = s3Settings.newClient()) {
            raw = new SnapshotPublisher(s3, bucket).publishGenerated(ref, spec);
        }
        System.out.printf(Locale.ROOT, "%n%,d rows in %d files (%,d MB CSV): generated and published in %d ms%n", rows,
                spec.files(), raw.manifest().bytes() >> 20, (System.nanoTime() - t0) / 1_000_000);
        Step ingest = run(ref, "ingest", example("ingest"), raw.manifestUri(), Tier.BRONZE);
        Step clean = run(ref, "clean", example("clean"), output(ingest), Tier.SILVER);
        Step aggregate = run(ref, "aggregate", example("aggregate"), output(clean), Tier.GOLD);
        // Compaction of the bronze output into 32 MiB files: the same rows rewritten (-Dsnapflow.bench.compact=false skips it).
        List<Step> steps = new java.util.ArrayList<>(List.of(ingest, clean, aggregate));
        if (Boolean.parseBoolean(System.getProperty("snapflow.bench.compact", "true"))) {
            steps.add(run(ref, "compact", "{\"targetFileBytes\": 33554432}", output(ingest), Tier.BRONZE));
        }
        // A/B of one step on the same input: -Dsnapflow.bench.again=clean|aggregate reruns it with
        // -Dsnapflow.bench.againJvmOptions added.
        String again = System.getProperty("snapflow.bench.again", "").trim();
        if (!again.isEmpty()) {
            S3Uri input = again.equals("clean") ? output(ingest) : output(clean);
            Tier tier = again.equals("clean") ? Tier.SILVER : Tier.GOLD;
            System.out.println("again: " + again + " with " + System.getProperty("snapflow.bench.againJvmOptions", ""));
            // Output ids hash the canonical params: spell out a default so the rerun is not a cache hit.
            String params = again.equals("clean") ? example("clean").replace("\"trim\": true", "\"trim\": true, \"keepMetadata\": false")
                    : example("aggregate").replace("\"percentile\": 0.5,", "\"percentile\": 0.5, \"accuracy\": 10000,");
            steps.add(run(ref, again, params, input, tier,
                    System.getProperty("snapflow.bench.againJvmOptions", "")));
        }
        System.out.println("step       rowsIn      rowsOut   job ms  process ms  first RUNNING ms  rows/s (job)");
        for (Step step : steps) {
            long rowsIn = step.last.metrics().get("rowsIn").longValue();
            long jobMs = step.last.metrics().get("durationMs").longValue();
            System.out.printf(Locale.ROOT, "%-9s %,11d %,11d %8d %11d %17d %,13d%n", step.action, rowsIn,
                    step.last.metrics().get("rowsOut").longValue(), jobMs, step.wallMs, step.firstRunningMs,
                    rowsIn * 1000 / Math.max(1, jobMs));
        }
    }

    private record Step(String action, JobStatusReport last, long wallMs, long firstRunningMs) {
    }

    private Step run(SnapshotRef ref, String action, String params, S3Uri input, Tier tier) throws Exception {
        return run(ref, action, params, input, tier, "");
    }

    private Step run(SnapshotRef ref, String action, String params, S3Uri input, Tier tier, String moreJvmOptions)
            throws Exception {
        String outputId = OutputId.derive(action, params, JobVersion.current(), input.key());
        JobArguments unrouted = new JobArguments(ref.tenant(), ref.entity(), ref.dataVersion(), action, params, input.toString(),
                "s3://" + bucket + "/" + StorageLayout.outputPrefix(ref, tier, outputId), UUID.randomUUID().toString(), 1, 1,
                "http://placeholder/");
        JobArguments arguments = new JobArguments(unrouted.tenant(), unrouted.entity(), unrouted.dataVersion(), action, params,
                unrouted.inputManifest(), unrouted.outputPrefix(), unrouted.processId(), 1, 1, callbacks.urlFor(unrouted.jobId()));
        List<String> commandLine = new java.util.ArrayList<>(command.command(arguments));
        // Extra child JVM options for experiments (JFR, -Dspark.* overrides), e.g.
        // -Dsnapflow.bench.jvmOptions="-XX:StartFlightRecording=filename=/tmp/job.jfr -Dspark.sql.shuffle.partitions=8"
        String extra = (System.getProperty("snapflow.bench.jvmOptions", "") + " " + moreJvmOptions).trim();
        if (!extra.isEmpty()) {
            commandLine.addAll(1, List.of(extra.split("\\s+")));
        }
        // CPU seconds tell more than wall time on a shared 2-core machine: /usr/bin/time appends them to the log.
        if (Files.isExecutable(Path.of("/usr/bin/time"))) {
            commandLine.addAll(0, List.of("/usr/bin/time", "-f", "cpu user=%U sys=%S maxrss=%MkB"));
        }
        ProcessBuilder builder = new ProcessBuilder(commandLine).redirectErrorStream(true)
                .redirectOutput(logs.resolve(arguments.jobId() + ".log").toFile());
        builder.environment().putAll(LocalJobCommand.environment(JobHarness.TOKEN, s3Settings.toEnvironment()));
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.HOURS) || process.exitValue() != 0) {
            throw new IllegalStateException(action + " failed, see " + logs.resolve(arguments.jobId() + ".log"));
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        printStages(action, logs.resolve(arguments.jobId() + ".log"));
        Long running = callbacks.firstReceivedNanos(arguments.jobId(), JobState.RUNNING);
        List<JobStatusReport> reports = callbacks.reportsOf(arguments.jobId());
        return new Step(action, reports.get(reports.size() - 1), wallMs, running == null ? -1 : (running - start) / 1_000_000);
    }

    private static final java.util.regex.Pattern STAGE = java.util.regex.Pattern.compile(
            "DAGScheduler: (\\w+ \\d+) \\((.*?)\\) finished in (\\d+) ms");
    private static final java.util.regex.Pattern TASKS = java.util.regex.Pattern.compile(
            "DAGScheduler: Submitting (\\d+) missing tasks from (\\w+ \\d+) ");

    /** Spark's own stage times from the child's log: where a step's time goes. */
    private static void printStages(String action, Path log) throws IOException {
        java.util.Map<String, String> tasks = new java.util.HashMap<>();
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            var submitted = TASKS.matcher(line);
            if (submitted.find()) {
                tasks.put(submitted.group(2), submitted.group(1));
            }
            if (line.startsWith("cpu user=")) {
                out.append("  ").append(action).append(" process ").append(line).append('\n');
            }
            var finished = STAGE.matcher(line);
            if (finished.find()) {
                out.append(String.format(Locale.ROOT, "  %-9s %-16s %4s tasks %8s ms  %s%n", action, finished.group(1),
                        tasks.getOrDefault(finished.group(1), "?"), finished.group(3), finished.group(2)));
            }
        }
        System.out.print(out);
    }

    private static S3Uri output(Step step) {
        return S3Uri.parse("outputManifest", step.last.outputManifest());
    }

    private static String example(String action) throws IOException {
        try (InputStream in = JobBenchmark.class.getResourceAsStream("/params/examples/" + action + ".orders.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SnapshotRef newRef() {
        return new SnapshotRef("bench", "orders", "v-" + UUID.randomUUID().toString().substring(0, 8));
    }

}
