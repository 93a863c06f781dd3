package dev.snapflow.bench;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobId;
import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.OutputId;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.sampledata.IndependentRefresh;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import dev.snapflow.spark.JobVersion;
import dev.snapflow.spark.LocalJobCommand;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Spark job's actions as the local backend runs them (one child JVM per step: the shaded job jar followed by
 * {@code spark-classpath.txt}, built by spark-jobs' {@link LocalJobCommand}), reporting to a {@link JobReportReceiver}
 * in this JVM, next to DuckDB (in this JVM, {@code duckdb_jdbc}) doing the same computation on the same files:
 * <ul>
 *   <li>ingest: the raw CSV (all columns as text) to Parquet, plus the source file column;</li>
 *   <li>clean: {@link IndependentRefresh#CLEAN} over the bronze Parquet Spark wrote, written as Parquet;</li>
 *   <li>aggregate: {@link IndependentRefresh#AGGREGATE} over the silver Parquet Spark wrote, written as Parquet;</li>
 *   <li>compact: the bronze Parquet rewritten into files of the target size.</li>
 * </ul>
 * Spark reads and writes S3Proxy over s3a (as in production); DuckDB reads local copies of the same objects
 * (downloaded first, not timed: no httpfs extension offline) and writes to local disk. No control plane runs
 * meanwhile, so the job has the cores to itself.
 *
 * <p>Each job JVM gets what the local backend gives that action's profile in the shipped catalog
 * ({@link LocalJobProfile}: heap = driver + executors' memory, {@code local[task slots]}), then the
 * {@link SparkOptions} of the run. Besides the timings, each Spark step records the job JVM's CPU seconds
 * ({@code /usr/bin/time}, which compare better than wall time on a shared machine) and Spark's own stage times from its
 * log (where a step's time goes).
 */
public final class SparkActionsBenchmark {
    public static final String TENANT = "benchspark";
    public static final List<String> ACTIONS = List.of("ingest", "clean", "aggregate", "compact");
    private static final String TOKEN = "bench-callback-token-0123456789abcdef";

    /** Where {@code /usr/bin/time} writes the job JVM's CPU seconds (the last line of the job's log). */
    static final String CPU_LINE = "snapflow-bench cpu ";
    private static final java.util.regex.Pattern CPU = java.util.regex.Pattern.compile(
            "^" + CPU_LINE + "user=([0-9.]+) sys=([0-9.]+)");
    private static final java.util.regex.Pattern STAGE_FINISHED = java.util.regex.Pattern.compile(
            "DAGScheduler: (\\w+ \\d+) \\((.*?)\\) finished in (\\d+) ms");
    private static final java.util.regex.Pattern STAGE_TASKS = java.util.regex.Pattern.compile(
            "DAGScheduler: Submitting (\\d+) missing tasks from (\\w+ \\d+) ");

    /** One Spark stage as its log tells it: {@code ResultStage 3}, its call site, tasks, wall time. */
    public record Stage(String stage, String callSite, int tasks, long millis) {
    }

    /**
     * One Spark step: rows from the job's own metrics, times from this JVM (process start → report or exit; the
     * SUCCEEDED report → exit is the job's shutdown), CPU seconds of the job JVM (user + system; NaN without
     * {@code /usr/bin/time}) and its stages.
     */
    public record SparkRun(String action, long rowsIn, long rowsOut, long jobMillis, long processMillis,
                           long firstRunningMillis, boolean cached, String outputManifest, long succeededToExitMillis,
                           double cpuSeconds, List<Stage> stages) {
        public SparkRun(String action, long rowsIn, long rowsOut, long jobMillis, long processMillis,
                        long firstRunningMillis, boolean cached, String outputManifest) {
            this(action, rowsIn, rowsOut, jobMillis, processMillis, firstRunningMillis, cached, outputManifest, -1,
                    Double.NaN, List.of());
        }
    }

    /** One DuckDB step: the time of its SQL (read, compute, write Parquet) in this JVM. */
    public record DuckRun(String action, long rowsIn, long rowsOut, long millis) {
    }

    /** Spark and DuckDB on one action and size. */
    public record Comparison(long rows, String action, SparkRun spark, DuckRun duck) {
        /** Rows in per second of the job's own duration (its {@code durationMs}: Spark session start to commit). */
        public double sparkRowsPerSecond() {
            return rowsPerSecond(spark.rowsIn(), spark.jobMillis());
        }

        /** Rows in per second of the whole child process (JVM start to exit): what a step costs end to end. */
        public double sparkProcessRowsPerSecond() {
            return rowsPerSecond(spark.rowsIn(), spark.processMillis());
        }

        public double duckRowsPerSecond() {
            return duck == null ? Double.NaN : rowsPerSecond(duck.rowsIn(), duck.millis());
        }

        /** How many times faster DuckDB is (its rows/s over Spark's job rows/s); below 1 when Spark is faster. */
        public double duckOverSpark() {
            return ratio(duckRowsPerSecond(), sparkRowsPerSecond());
        }
    }

    /**
     * Process start → first RUNNING report and → exit of tiny ingests, their CPU seconds, and a cached repeat (no
     * Spark at all).
     */
    public record Overhead(List<Double> firstRunningMillis, List<Double> exitMillis, List<Double> succeededToExitMillis,
                           List<Double> cpuSeconds, double cachedExitMillis) {
    }

    /**
     * One input size: how it was made, the comparisons on it, and the A/B rerun ({@link SparkOptions#again()},
     * null without one).
     */
    public record Size(long rows, int files, long csvBytes, double publishSeconds, List<Comparison> comparisons,
                       SparkRun again) {
    }

    static double rowsPerSecond(long rows, long millis) {
        return millis <= 0 ? Double.NaN : rows * 1000.0 / millis;
    }

    static double ratio(double numerator, double denominator) {
        return Double.isNaN(numerator) || Double.isNaN(denominator) || denominator <= 0 ? Double.NaN : numerator / denominator;
    }

    private final BenchEnvironment environment;
    private final Path root;
    private final Path workDir;
    private final SparkOptions options;
    private Map<String, LocalJobProfile> profiles;
    private LocalJobCommand command;
    private JobReportReceiver reports;
    private Path logs;

    public SparkActionsBenchmark(BenchEnvironment environment, Path root, SparkOptions options) {
        this.environment = environment;
        this.root = root;
        this.workDir = environment.workDir().resolve("spark");
        this.options = options;
    }

    /** The job jar the build shades (never the {@code original-} one) beside {@code spark-classpath.txt}. */
    public static Path jobJar(Path root) throws IOException {
        Path target = root.resolve("spark-jobs/target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("spark-jobs-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IOException("no spark-jobs-*.jar in " + target + ": build spark-jobs first"));
        }
    }

    public LocalJobCommand command() {
        return command;
    }

    /** Each action's local-backend profile (null before {@link #setUp()}). */
    public Map<String, LocalJobProfile> profiles() {
        return profiles;
    }

    public SparkOptions options() {
        return options;
    }

    public void setUp() throws Exception {
        Files.createDirectories(workDir);
        logs = Files.createDirectories(workDir.resolve("logs"));
        // A copy of the job jar for this run: another engineer's build may rewrite spark-jobs/target meanwhile, and a
        // child JVM reading a half-written jar fails with NoClassDefFoundError. Spark's jars (spark-classpath.txt) are
        // in the local Maven repository and do not change.
        Path jar = Files.copy(jobJar(root), workDir.resolve(jobJar(root).getFileName()), StandardCopyOption.REPLACE_EXISTING);
        // The heap is per action (profiles); this command's is replaced in runSpark.
        command = new LocalJobCommand(Path.of(ProcessHandle.current().info().command().orElseThrow()), jar,
                LocalJobCommand.readClasspathFile(root.resolve("spark-jobs/target/spark-classpath.txt")), "1g");
        profiles = LocalJobProfile.fromCatalog(root, Runtime.getRuntime().availableProcessors());
        reports = new JobReportReceiver(TOKEN);
    }

    public void tearDown() {
        if (reports != null) {
            reports.close();
        }
    }

    /** {@code runs} ingests of 10 rows, each of a new snapshot (so never cached), then one cached repeat. */
    public Overhead fixedOverhead(int runs) throws Exception {
        List<Double> running = new ArrayList<>();
        List<Double> exit = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> shutdown = new ArrayList<>();
        PublishedSnapshot raw = null;
        for (int i = 0; i < runs; i++) {
            raw = publish(newRef(), new OrdersSpec(1, 10, 1));
            SparkRun run = runSpark(raw.ref(), "ingest", example("ingest"), raw.manifestUri());
            running.add((double) run.firstRunningMillis());
            exit.add((double) run.processMillis());
            cpu.add(run.cpuSeconds());
            shutdown.add((double) run.succeededToExitMillis());
            System.err.printf("job fixed overhead: start → first RUNNING %d ms, → exit %d ms (SUCCEEDED → exit %d ms), %.1f CPU s%n",
                    run.firstRunningMillis(), run.processMillis(), run.succeededToExitMillis(), run.cpuSeconds());
        }
        SparkRun cached = runSpark(raw.ref(), "ingest", example("ingest"), raw.manifestUri());
        return new Overhead(running, exit, shutdown, cpu, cached.cached() ? cached.processMillis() : Double.NaN);
    }

    /** Generates {@code rows} orders, runs the refresh pipeline and compact with Spark, then the same with DuckDB. */
    public Size compare(long rows) throws Exception {
        SnapshotRef ref = newRef();
        OrdersSpec spec = OrdersSpec.ofRows(2026, rows);
        long t0 = System.nanoTime();
        PublishedSnapshot raw = publish(ref, spec);
        double publishSeconds = (System.nanoTime() - t0) / 1e9;
        System.err.printf("spark: %,d rows in %d files (%d MiB CSV) published in %.0f s%n", rows, spec.files(),
                raw.manifest().bytes() >> 20, publishSeconds);

        SparkRun ingest = runSpark(ref, "ingest", example("ingest"), raw.manifestUri());
        SparkRun clean = runSpark(ref, "clean", example("clean"), output(ingest));
        SparkRun aggregate = runSpark(ref, "aggregate", example("aggregate"), output(clean));
        SparkRun compact = options.compact() ? runSpark(ref, "compact", example("compact"), output(ingest)) : null;
        SparkRun again = options.again() == null ? null : again(ref, options.again(),
                output(options.again().equals("clean") ? ingest : clean));

        Path dir = Files.createDirectories(workDir.resolve(Long.toString(rows)));
        List<Path> rawFiles = download(raw.manifest(), dir.resolve("raw"));
        List<Path> bronzeFiles = download(manifest(output(ingest)), dir.resolve("bronze"));
        List<Path> silverFiles = download(manifest(output(clean)), dir.resolve("silver"));
        List<Comparison> comparisons = new ArrayList<>();
        comparisons.add(new Comparison(rows, "ingest", ingest, duckIngest(rawFiles, dir.resolve("duck-bronze"))));
        comparisons.add(new Comparison(rows, "clean", clean, duckClean(bronzeFiles, dir.resolve("duck-silver"))));
        comparisons.add(new Comparison(rows, "aggregate", aggregate, duckAggregate(silverFiles, dir.resolve("duck-gold"))));
        if (compact != null) {
            comparisons.add(new Comparison(rows, "compact", compact, duckCompact(bronzeFiles, dir.resolve("duck-compact"),
                    compactTargetBytes())));
        }
        for (Comparison c : comparisons) {
            System.err.printf("spark %s %,d rows: Spark %,.0f rows/s (job %d ms, process %d ms), DuckDB %,.0f rows/s (%d ms): %.1f×%n",
                    c.action(), c.spark().rowsIn(), c.sparkRowsPerSecond(), c.spark().jobMillis(), c.spark().processMillis(),
                    c.duckRowsPerSecond(), c.duck().millis(), c.duckOverSpark());
        }
        deleteRecursively(dir);
        return new Size(rows, spec.files(), raw.manifest().bytes(), publishSeconds, comparisons, again);
    }

    /** One timed child JVM of the overhead study: wall time (start → exit) and CPU seconds. */
    public record Timed(String action, String variant, int repeat, long millis, double cpuSeconds) {
    }

    /**
     * Snapflow's own overhead and an A/B of two job jars, on one input of {@code rows} orders: each action (ingest,
     * clean, aggregate, compact on the example params) {@code repeats} times as the job this run was built with
     * ("snapflow"), as {@code beforeJar} ("before", if given) and as {@code BareSparkAction} ("bare": the same
     * computation as plain Spark SQL in a minimal SparkSession JVM, same heap and {@code local[N]}, same s3a objects),
     * the variants' order alternating between repeats (ingest without "before"). The inputs (bronze, silver) come from a setup pipeline whose
     * params spell out a default, so a timed run's output id differs from them; each timed output is deleted after its
     * run, so the next run of the same params is not a cache hit.
     */
    public List<Timed> overhead(long rows, int repeats, Path beforeJar) throws Exception {
        SnapshotRef ref = newRef();
        PublishedSnapshot raw = publish(ref, OrdersSpec.ofRows(2026, rows));
        SparkRun bronze = runSpark(ref, "ingest", "{\"onMalformed\": \"null\"}", raw.manifestUri());
        SparkRun silver = runSpark(ref, "clean", example("clean").replace("\"trim\": true",
                "\"trim\": true, \"keepMetadata\": false"), output(bronze));
        Map<String, S3Uri> inputs = Map.of("ingest", raw.manifestUri(), "clean", output(bronze),
                "aggregate", output(silver), "compact", output(bronze));
        Path bare = compileBareSpark();
        List<String> variants = new ArrayList<>(List.of("snapflow", "bare"));
        if (beforeJar != null) {
            variants.add(1, "before");
        }
        List<Timed> timed = new ArrayList<>();
        for (int repeat = 1; repeat <= repeats; repeat++) {
            for (String action : ACTIONS) {
                List<String> order = new ArrayList<>(variants);
                // Ingest's code is the same in both jars (the session's settings it uses are Spark's defaults).
                if (action.equals("ingest")) {
                    order.remove("before");
                }
                if (repeat % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (String variant : order) {
                    Timed run = switch (variant) {
                        case "bare" -> runBare(bare, action, inputs.get(action), repeat);
                        default -> {
                            SparkRun job = runSpark(ref, action, example(action), inputs.get(action), List.of(),
                                    variant.equals("before") ? beforeJar : command.jobJar());
                            if (job.cached()) {
                                throw new IllegalStateException(action + " was a cache hit: the overhead study needs a new output");
                            }
                            String prefix = output(job).key().substring(0, output(job).key().lastIndexOf('/') + 1);
                            deletePrefix(prefix);
                            if (action.equals("clean")) {
                                deletePrefix(prefix.replace("/" + Tier.SILVER.pathSegment() + "/",
                                        "/" + Tier.QUARANTINE.pathSegment() + "/"));
                            }
                            yield new Timed(action, variant, repeat, job.processMillis(), job.cpuSeconds());
                        }
                    };
                    System.err.printf("spark overhead: %s %s #%d: %d ms, %.1f CPU s%n", action, variant, repeat,
                            run.millis(), run.cpuSeconds());
                    timed.add(run);
                }
            }
        }
        return timed;
    }

    /** For the results file: the overhead study's medians per action and variant, and each run. */
    static String overheadSection(long rows, List<Timed> timed) {
        List<String> variants = timed.stream().map(Timed::variant).distinct().toList();
        List<String> header = new ArrayList<>(List.of("rows", "action"));
        variants.forEach(v -> {
            header.add(v + " s (median)");
            header.add(v + " CPU s (median)");
        });
        header.add("snapflow / bare (wall)");
        header.add("snapflow / bare (CPU)");
        MarkdownTable table = new MarkdownTable(header.toArray(String[]::new));
        for (String action : ACTIONS) {
            List<Object> row = new ArrayList<>(List.of(Charts.rowsLabel(rows), action));
            Map<String, double[]> medians = new LinkedHashMap<>();
            for (String variant : variants) {
                List<Timed> runs = timed.stream().filter(t -> t.action().equals(action) && t.variant().equals(variant)).toList();
                double wall = Median.of(runs.stream().map(t -> t.millis() / 1000.0).toList());
                double cpu = Median.of(runs.stream().map(Timed::cpuSeconds).toList());
                medians.put(variant, new double[] {wall, cpu});
                row.add(wall);
                row.add(cpu);
            }
            row.add(ratio(medians.get("snapflow")[0], medians.get("bare")[0]));
            row.add(ratio(medians.get("snapflow")[1], medians.get("bare")[1]));
            table.row(row.toArray());
        }
        MarkdownTable each = new MarkdownTable("action", "variant", "repeat", "s", "CPU s");
        timed.forEach(t -> each.row(t.action(), t.variant(), t.repeat(), t.millis() / 1000.0, t.cpuSeconds()));
        return "### Snapflow job / bare Spark\n\n" + table.render() + "\nEach run, in the order it ran:\n\n" + each.render() + "\n";
    }

    /** Compiles {@code bare-spark/BareSparkAction.java} (a resource) against the job jar and Spark's class path. */
    private Path compileBareSpark() throws IOException {
        Path dir = Files.createDirectories(workDir.resolve("bare-spark"));
        Path source = dir.resolve("BareSparkAction.java");
        try (InputStream in = SparkActionsBenchmark.class.getResourceAsStream("/bare-spark/BareSparkAction.java")) {
            Files.copy(java.util.Objects.requireNonNull(in, "no bare-spark/BareSparkAction.java"), source,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-proc:none", "-d", dir.toString(), "-cp", bareClasspath(null),
                source.toString());
        if (status != 0) {
            throw new IOException("BareSparkAction.java did not compile (javac exit " + status + ")");
        }
        return dir;
    }

    private String bareClasspath(Path classes) {
        List<String> entries = new ArrayList<>();
        if (classes != null) {
            entries.add(classes.toString());
        }
        entries.add(command.jobJar().toString());
        command.sparkClasspath().forEach(p -> entries.add(p.toString()));
        return String.join(java.io.File.pathSeparator, entries);
    }

    private Timed runBare(Path classes, String action, S3Uri inputManifest, int repeat) throws Exception {
        Manifest input = manifest(inputManifest);
        String bucket = environment.stack().s3().bucket();
        String prefix = "bench-bare/" + UUID.randomUUID() + "/";
        Path tmp = Files.createDirectories(workDir.resolve("tmp").resolve("bare-" + UUID.randomUUID()));
        Path params = tmp.resolve("params.json");
        Files.writeString(params, example(action));
        long target = action.equals("compact") ? compactTargetBytes() : 1;
        long files = Math.max(1, (input.bytes() + target - 1) / target);
        List<String> commandLine = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/time"))) {
            commandLine.addAll(List.of("/usr/bin/time", "-f", CPU_LINE + "user=%U sys=%S maxrss=%MkB"));
        }
        commandLine.addAll(List.of(command.java().toString(), "-Xmx" + profile(action).maxHeap()));
        commandLine.addAll(LocalJobCommand.JVM_OPTIONS);
        commandLine.addAll(profile(action).backendProperties(tmp));
        commandLine.addAll(options.jvmOptions());
        commandLine.addAll(List.of("-cp", bareClasspath(classes), "BareSparkAction", action,
                "s3a://" + bucket + "/" + prefix + "out", params.toString(), Long.toString(files)));
        input.files().forEach(f -> commandLine.add("s3a://" + bucket + "/" + f.key()));
        Path log = logs.resolve("bare-" + action + "-" + repeat + ".log");
        ProcessBuilder builder = new ProcessBuilder(commandLine).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(LocalJobCommand.environment(TOKEN, storageEnvironment()));
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.HOURS)) {
            process.destroyForcibly();
            throw new IllegalStateException("bare " + action + " did not end within 2 h, see " + log);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (process.exitValue() != 0) {
            throw new IllegalStateException("bare " + action + " exited " + process.exitValue() + ", see " + log);
        }
        double cpu = cpuSeconds(Files.readAllLines(log, StandardCharsets.UTF_8));
        deletePrefix(prefix);
        deleteRecursively(tmp);
        return new Timed(action, "bare", repeat, millis, cpu);
    }

    /** Deletes every object under {@code prefix} in the stack's bucket. */
    private void deletePrefix(String prefix) {
        String bucket = environment.stack().s3().bucket();
        try (S3Client s3 = environment.stack().s3().newClient()) {
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()
                    .forEach(o -> s3.deleteObject(b -> b.bucket(bucket).key(o.key())));
        }
    }

    /**
     * The A/B rerun: {@code action} on the same input with {@link SparkOptions#againJvmOptions()} added. Output ids
     * hash the canonical params, so the params spell out a default: a new output, not a cache hit.
     */
    private SparkRun again(SnapshotRef ref, String action, S3Uri input) throws Exception {
        String params = action.equals("clean")
                ? example("clean").replace("\"trim\": true", "\"trim\": true, \"keepMetadata\": false")
                : example("aggregate").replace("\"percentile\": 0.5,", "\"percentile\": 0.5, \"accuracy\": 10000,");
        if (params.equals(example(action))) {
            throw new IllegalStateException("the " + action + " example changed: --spark-again cannot make its params differ");
        }
        System.err.println("spark again: " + action + " with " + options.againJvmOptions());
        return runSpark(ref, action, params, input, options.againJvmOptions());
    }

    /**
     * For the results file: each Spark step's stages (call site, tasks, seconds) and CPU seconds, and the A/B rerun
     * next to the run it repeats.
     */
    static String stagesSection(List<Size> sizes, SparkOptions options) {
        StringBuilder out = new StringBuilder();
        MarkdownTable stages = new MarkdownTable("rows", "action", "job JVM CPU s", "stage", "call site", "tasks", "stage s");
        boolean any = false;
        for (Size size : sizes) {
            List<SparkRun> runs = new ArrayList<>(size.comparisons().stream().map(Comparison::spark).toList());
            if (size.again() != null) {
                runs.add(size.again());
            }
            for (SparkRun run : runs) {
                String label = run == size.again() ? run.action() + " (again)" : run.action();
                for (Stage stage : run.stages()) {
                    any = true;
                    stages.row(Charts.rowsLabel(size.rows()), label, run.cpuSeconds(), stage.stage(), stage.callSite(),
                            stage.tasks(), stage.millis() / 1000.0);
                }
            }
        }
        if (any) {
            out.append("### Where Spark's time goes\n\nSpark's stages from each job's log (`DAGScheduler: ... finished in`; ")
                    .append("stages of one job can overlap) and the job JVM's CPU seconds (`/usr/bin/time`, user + system): ")
                    .append("on a shared machine CPU seconds compare better than wall time.\n\n").append(stages.render()).append('\n');
        }
        MarkdownTable ab = new MarkdownTable("rows", "action", "A job ms", "A CPU s", "B job ms", "B CPU s", "B adds");
        boolean anyAgain = false;
        for (Size size : sizes) {
            if (size.again() == null) {
                continue;
            }
            SparkRun a = size.comparisons().stream().filter(c -> c.action().equals(size.again().action())).findFirst()
                    .map(Comparison::spark).orElse(null);
            if (a != null) {
                anyAgain = true;
                ab.row(Charts.rowsLabel(size.rows()), a.action(), a.jobMillis(), a.cpuSeconds(), size.again().jobMillis(),
                        size.again().cpuSeconds(), "`" + String.join(" ", options.againJvmOptions()) + "`");
            }
        }
        if (anyAgain) {
            out.append("### A/B (`--spark-again`)\n\nThe same step on the same input once more, right after the pipeline, ")
                    .append("with one setting changed (B); load drifts between the two, so compare CPU seconds.\n\n")
                    .append(ab.render()).append('\n');
        }
        return out.toString();
    }

    // --- Spark ---

    private SparkRun runSpark(SnapshotRef ref, String action, String params, S3Uri input) throws Exception {
        return runSpark(ref, action, params, input, List.of());
    }

    private SparkRun runSpark(SnapshotRef ref, String action, String params, S3Uri input, List<String> moreJvmOptions)
            throws Exception {
        return runSpark(ref, action, params, input, moreJvmOptions, command.jobJar());
    }

    private SparkRun runSpark(SnapshotRef ref, String action, String params, S3Uri input, List<String> moreJvmOptions,
                              Path jobJar) throws Exception {
        String bucket = environment.stack().s3().bucket();
        Tier tier = switch (action) {
            case "ingest" -> Tier.BRONZE;
            case "clean" -> Tier.SILVER;
            case "aggregate" -> Tier.GOLD;
            default -> tierOf(ref, input);
        };
        String outputId = OutputId.derive(action, params, JobVersion.current(), input.key());
        String processId = UUID.randomUUID().toString();
        JobId jobId = JobId.of(processId, 1, 1);
        JobArguments arguments = new JobArguments(ref.tenant(), ref.entity(), ref.dataVersion(), action, params,
                input.toString(), "s3://" + bucket + "/" + StorageLayout.outputPrefix(ref, tier, outputId), processId, 1, 1,
                reports.urlFor(jobId));
        Path log = logs.resolve(action + "-" + jobId.value() + ".log");
        Path tmp = Files.createDirectories(workDir.resolve("tmp").resolve(jobId.value()));
        List<String> extra = new ArrayList<>(profile(action).backendProperties(tmp));
        extra.addAll(options.jvmOptions());
        extra.addAll(moreJvmOptions);
        List<String> commandLine = jobCommand(profile(action), arguments, extra, jobJar);
        // CPU seconds tell more than wall time on a shared 2-core machine: /usr/bin/time appends them to the log.
        if (Files.isExecutable(Path.of("/usr/bin/time"))) {
            commandLine.addAll(0, List.of("/usr/bin/time", "-f", CPU_LINE + "user=%U sys=%S maxrss=%MkB"));
        }
        ProcessBuilder builder = new ProcessBuilder(commandLine).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(LocalJobCommand.environment(TOKEN, storageEnvironment()));
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.HOURS)) {
            process.destroyForcibly();
            throw new IllegalStateException(action + " did not end within 2 h, see " + log);
        }
        long exited = System.nanoTime();
        long processMillis = (exited - start) / 1_000_000;
        if (process.exitValue() != 0) {
            throw new IllegalStateException(action + " exited " + process.exitValue() + ", see " + log);
        }
        List<JobStatusReport> received = reports.reportsOf(jobId);
        JobStatusReport last = received.stream().filter(r -> r.state() == JobState.SUCCEEDED).findFirst()
                .orElseThrow(() -> new IllegalStateException(action + " exited 0 without a SUCCEEDED report, see " + log));
        Long running = reports.firstReceivedNanos(jobId, JobState.RUNNING);
        Long succeeded = reports.firstReceivedNanos(jobId, JobState.SUCCEEDED);
        Map<String, Number> metrics = last.metrics() == null ? Map.of() : last.metrics();
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        deleteRecursively(tmp);
        return new SparkRun(action, metric(metrics, "rowsIn"), metric(metrics, "rowsOut"), metric(metrics, "durationMs"),
                processMillis, running == null ? -1 : (running - start) / 1_000_000, Boolean.TRUE.equals(last.cached()),
                last.outputManifest(), succeeded == null ? -1 : (exited - succeeded) / 1_000_000, cpuSeconds(lines),
                stages(lines));
    }

    private LocalJobProfile profile(String action) {
        LocalJobProfile profile = profiles.get(action);
        if (profile == null) {
            throw new IllegalStateException("no action " + action + " in " + LocalJobProfile.CATALOG);
        }
        return profile;
    }

    /**
     * The local backend's command for this action's profile: {@link LocalJobCommand}'s (heap, Spark's JVM options,
     * class path, arguments) with {@code extra} (the backend's system properties, then this run's options) before
     * {@code -cp}, so that a later {@code -Xmx} or {@code -D} given to bench/run wins.
     */
    List<String> jobCommand(LocalJobProfile profile, JobArguments arguments, List<String> extra) {
        return jobCommand(profile, arguments, extra, command.jobJar());
    }

    private List<String> jobCommand(LocalJobProfile profile, JobArguments arguments, List<String> extra, Path jobJar) {
        LocalJobCommand sized = new LocalJobCommand(command.java(), jobJar, command.sparkClasspath(),
                profile.maxHeap());
        List<String> commandLine = new ArrayList<>(sized.command(arguments));
        commandLine.addAll(commandLine.indexOf("-cp"), extra);
        return commandLine;
    }

    /** User + system CPU seconds from {@code /usr/bin/time}'s line, NaN without it. */
    static double cpuSeconds(List<String> log) {
        for (String line : log) {
            java.util.regex.Matcher cpu = CPU.matcher(line);
            if (cpu.find()) {
                return Double.parseDouble(cpu.group(1)) + Double.parseDouble(cpu.group(2));
            }
        }
        return Double.NaN;
    }

    /** Spark's stages from its log, in the order they finished. */
    static List<Stage> stages(List<String> log) {
        Map<String, Integer> tasks = new java.util.HashMap<>();
        List<Stage> stages = new ArrayList<>();
        for (String line : log) {
            java.util.regex.Matcher submitted = STAGE_TASKS.matcher(line);
            if (submitted.find()) {
                tasks.put(submitted.group(2), Integer.parseInt(submitted.group(1)));
            }
            java.util.regex.Matcher finished = STAGE_FINISHED.matcher(line);
            if (finished.find()) {
                stages.add(new Stage(finished.group(1), finished.group(2), tasks.getOrDefault(finished.group(1), -1),
                        Long.parseLong(finished.group(3))));
            }
        }
        return stages;
    }

    /** The job's S3 variables (as spark-jobs' S3Settings.toEnvironment writes them) for the local stack's S3Proxy. */
    private Map<String, String> storageEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SNAPFLOW_S3_ENDPOINT", environment.stack().s3().endpoint().toString());
        env.put("SNAPFLOW_S3_REGION", environment.stack().s3().region());
        env.put("SNAPFLOW_S3_PATH_STYLE", "true");
        env.put("AWS_ACCESS_KEY_ID", environment.stack().s3().accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", environment.stack().s3().secretKey());
        return env;
    }

    private static long metric(Map<String, Number> metrics, String name) {
        Number value = metrics.get(name);
        return value == null ? -1 : value.longValue();
    }

    private static Tier tierOf(SnapshotRef ref, S3Uri input) {
        String rest = input.key().substring(StorageLayout.versionPrefix(ref).length());
        return Tier.fromPathSegment(rest.substring(0, rest.indexOf('/')));
    }

    private static S3Uri output(SparkRun run) {
        return S3Uri.parse("outputManifest", run.outputManifest());
    }

    // --- DuckDB ---

    private DuckRun duckIngest(List<Path> rawFiles, Path out) throws Exception {
        return duck("ingest", out, null, "COPY (SELECT * FROM read_csv(" + files(rawFiles)
                + ", header = true, all_varchar = true, quote = '\"', escape = '\"', filename = true)) TO '" + out
                + "' (FORMAT parquet, PER_THREAD_OUTPUT true)", "SELECT count(*) FROM read_csv(" + files(rawFiles)
                + ", header = true, all_varchar = true, quote = '\"', escape = '\"')");
    }

    private DuckRun duckClean(List<Path> bronzeFiles, Path out) throws Exception {
        return duck("clean", out, "CREATE VIEW raw AS SELECT * FROM read_parquet(" + files(bronzeFiles) + ")",
                IndependentRefresh.CLEAN + ";\nCOPY expected_silver TO '" + out + "' (FORMAT parquet, PER_THREAD_OUTPUT true)",
                "SELECT count(*) FROM raw");
    }

    private DuckRun duckAggregate(List<Path> silverFiles, Path out) throws Exception {
        return duck("aggregate", out, "CREATE VIEW expected_silver AS SELECT * FROM read_parquet(" + files(silverFiles) + ")",
                IndependentRefresh.AGGREGATE + ";\nCOPY expected_gold TO '" + out + "' (FORMAT parquet, PER_THREAD_OUTPUT true)",
                "SELECT count(*) FROM expected_silver");
    }

    private DuckRun duckCompact(List<Path> bronzeFiles, Path out, long targetBytes) throws Exception {
        return duck("compact", out, null, "COPY (SELECT * FROM read_parquet(" + files(bronzeFiles) + ")) TO '" + out
                + "' (FORMAT parquet, FILE_SIZE_BYTES " + targetBytes + ")", "SELECT count(*) FROM read_parquet("
                + files(bronzeFiles) + ")");
    }

    /**
     * One step in a fresh in-memory database: {@code setup} (views only, not timed), then the timed SQL, then (not
     * timed) the rows in and the rows it wrote, read back from its Parquet output.
     */
    private DuckRun duck(String action, Path out, String setup, String timed, String countIn) throws Exception {
        Files.createDirectories(out.getParent());
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            sql.execute("SET temp_directory = '" + workDir.resolve("duck-tmp") + "'");
            if (setup != null) {
                sql.execute(setup);
            }
            long start = System.nanoTime();
            for (String statement : timed.split(";\n")) {
                sql.execute(statement);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long rowsIn = count(sql, countIn);
            String written = Files.isDirectory(out) ? "'" + out + "/*.parquet'" : "'" + out + "'";
            long rowsOut = count(sql, "SELECT count(*) FROM read_parquet(" + written + ")");
            return new DuckRun(action, rowsIn, rowsOut, millis);
        }
    }

    private static long count(Statement sql, String query) throws Exception {
        try (ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static long compactTargetBytes() throws IOException {
        String params = example("compact");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"targetFileBytes\"\\s*:\\s*(\\d+)").matcher(params);
        return m.find() ? Long.parseLong(m.group(1)) : 134_217_728L;
    }

    private static String files(List<Path> files) {
        return files.stream().map(file -> "'" + file + "'").collect(Collectors.joining(", ", "[", "]"));
    }

    // --- S3 ---

    private PublishedSnapshot publish(SnapshotRef ref, OrdersSpec spec) throws IOException {
        try (S3Client s3 = environment.stack().s3().newClient()) {
            return new SnapshotPublisher(s3, environment.stack().s3().bucket()).publishGenerated(ref, spec);
        }
    }

    private Manifest manifest(S3Uri uri) {
        try (S3Client s3 = environment.stack().s3().newClient()) {
            return ManifestCodec.fromJson(s3.getObjectAsBytes(b -> b.bucket(uri.bucket()).key(uri.key())).asByteArray());
        }
    }

    /** The files a manifest lists, copied into {@code dir}, in manifest order. */
    private List<Path> download(Manifest manifest, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        try (S3Client s3 = environment.stack().s3().newClient()) {
            for (Manifest.DataFile file : manifest.files()) {
                Path local = dir.resolve(files.size() + "-" + Path.of(file.key()).getFileName());
                s3.getObject(b -> b.bucket(environment.stack().s3().bucket()).key(file.key()), local);
                files.add(local);
            }
        }
        return files;
    }

    /** Example params shipped in the job jar ({@code params/examples/<action>.orders.json}). */
    static String example(String action) throws IOException {
        try (InputStream in = LocalJobCommand.class.getResourceAsStream("/params/examples/" + action + ".orders.json")) {
            if (in == null) {
                throw new IOException("no params/examples/" + action + ".orders.json in the job jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SnapshotRef newRef() {
        return new SnapshotRef(TENANT, "orders", "v-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
