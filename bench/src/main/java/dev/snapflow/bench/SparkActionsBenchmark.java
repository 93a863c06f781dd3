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
 */
public final class SparkActionsBenchmark {
    public static final String TENANT = "benchspark";
    public static final List<String> ACTIONS = List.of("ingest", "clean", "aggregate", "compact");
    /** The driver's heap, as spark-jobs' own benchmark used: 10M rows of clean fit with room to spare. */
    public static final String DRIVER_HEAP = "6g";
    private static final String TOKEN = "bench-callback-token-0123456789abcdef";

    /** One Spark step: rows from the job's own metrics, times from this JVM (process start → report or exit). */
    public record SparkRun(String action, long rowsIn, long rowsOut, long jobMillis, long processMillis,
                           long firstRunningMillis, boolean cached, String outputManifest) {
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

    /** Process start → first RUNNING report and → exit of tiny ingests, and a cached repeat (no Spark at all). */
    public record Overhead(List<Double> firstRunningMillis, List<Double> exitMillis, double cachedExitMillis) {
    }

    /** One input size: how it was made and the comparisons on it. */
    public record Size(long rows, int files, long csvBytes, double publishSeconds, List<Comparison> comparisons) {
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
    private LocalJobCommand command;
    private JobReportReceiver reports;
    private Path logs;

    public SparkActionsBenchmark(BenchEnvironment environment, Path root) {
        this.environment = environment;
        this.root = root;
        this.workDir = environment.workDir().resolve("spark");
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

    public void setUp() throws Exception {
        Files.createDirectories(workDir);
        logs = Files.createDirectories(workDir.resolve("logs"));
        // A copy of the job jar for this run: another engineer's build may rewrite spark-jobs/target meanwhile, and a
        // child JVM reading a half-written jar fails with NoClassDefFoundError. Spark's jars (spark-classpath.txt) are
        // in the local Maven repository and do not change.
        Path jar = Files.copy(jobJar(root), workDir.resolve(jobJar(root).getFileName()), StandardCopyOption.REPLACE_EXISTING);
        command = new LocalJobCommand(Path.of(ProcessHandle.current().info().command().orElseThrow()), jar,
                LocalJobCommand.readClasspathFile(root.resolve("spark-jobs/target/spark-classpath.txt")), DRIVER_HEAP);
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
        PublishedSnapshot raw = null;
        for (int i = 0; i < runs; i++) {
            raw = publish(newRef(), new OrdersSpec(1, 10, 1));
            SparkRun run = runSpark(raw.ref(), "ingest", example("ingest"), raw.manifestUri());
            running.add((double) run.firstRunningMillis());
            exit.add((double) run.processMillis());
            System.err.printf("job fixed overhead: start → first RUNNING %d ms, → exit %d ms%n", run.firstRunningMillis(),
                    run.processMillis());
        }
        SparkRun cached = runSpark(raw.ref(), "ingest", example("ingest"), raw.manifestUri());
        return new Overhead(running, exit, cached.cached() ? cached.processMillis() : Double.NaN);
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
        SparkRun compact = runSpark(ref, "compact", example("compact"), output(ingest));

        Path dir = Files.createDirectories(workDir.resolve(Long.toString(rows)));
        List<Path> rawFiles = download(raw.manifest(), dir.resolve("raw"));
        List<Path> bronzeFiles = download(manifest(output(ingest)), dir.resolve("bronze"));
        List<Path> silverFiles = download(manifest(output(clean)), dir.resolve("silver"));
        List<Comparison> comparisons = new ArrayList<>();
        comparisons.add(new Comparison(rows, "ingest", ingest, duckIngest(rawFiles, dir.resolve("duck-bronze"))));
        comparisons.add(new Comparison(rows, "clean", clean, duckClean(bronzeFiles, dir.resolve("duck-silver"))));
        comparisons.add(new Comparison(rows, "aggregate", aggregate, duckAggregate(silverFiles, dir.resolve("duck-gold"))));
        comparisons.add(new Comparison(rows, "compact", compact, duckCompact(bronzeFiles, dir.resolve("duck-compact"),
                compactTargetBytes())));
        for (Comparison c : comparisons) {
            System.err.printf("spark %s %,d rows: Spark %,.0f rows/s (job %d ms, process %d ms), DuckDB %,.0f rows/s (%d ms): %.1f×%n",
                    c.action(), c.spark().rowsIn(), c.sparkRowsPerSecond(), c.spark().jobMillis(), c.spark().processMillis(),
                    c.duckRowsPerSecond(), c.duck().millis(), c.duckOverSpark());
        }
        deleteRecursively(dir);
        return new Size(rows, spec.files(), raw.manifest().bytes(), publishSeconds, comparisons);
    }

    // --- Spark ---

    private SparkRun runSpark(SnapshotRef ref, String action, String params, S3Uri input) throws Exception {
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
        ProcessBuilder builder = new ProcessBuilder(command.command(arguments)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(LocalJobCommand.environment(TOKEN, storageEnvironment()));
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.HOURS)) {
            process.destroyForcibly();
            throw new IllegalStateException(action + " did not end within 2 h, see " + log);
        }
        long processMillis = (System.nanoTime() - start) / 1_000_000;
        if (process.exitValue() != 0) {
            throw new IllegalStateException(action + " exited " + process.exitValue() + ", see " + log);
        }
        List<JobStatusReport> received = reports.reportsOf(jobId);
        JobStatusReport last = received.stream().filter(r -> r.state() == JobState.SUCCEEDED).findFirst()
                .orElseThrow(() -> new IllegalStateException(action + " exited 0 without a SUCCEEDED report, see " + log));
        Long running = reports.firstReceivedNanos(jobId, JobState.RUNNING);
        Map<String, Number> metrics = last.metrics() == null ? Map.of() : last.metrics();
        return new SparkRun(action, metric(metrics, "rowsIn"), metric(metrics, "rowsOut"), metric(metrics, "durationMs"),
                processMillis, running == null ? -1 : (running - start) / 1_000_000, Boolean.TRUE.equals(last.cached()),
                last.outputManifest());
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
