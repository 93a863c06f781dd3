package dev.snapflow.bench;

import dev.snapflow.local.controlplane.ControlPlane;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.LocalStackOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Runs the benchmarks on this machine and writes {@code bench/results/<date>.md} with PNG plots beside it, and a row
 * of headline figures into {@code bench/README.md}. Usage (through {@code bench/run}):
 * {@code BenchMain --root <repo> [--quick]}.
 */
public final class BenchMain {
    private static final String HISTORY_HEADER = "| date | mode | cold start → first request, AOT (max over functions) "
            + "| RSS (max) | submission p99 @500/s | sustained rate (p99 ≤ 100 ms) | dispatch → launched p99 at rest "
            + "| DuckDB ÷ Spark rows/s, aggregate (largest size) | job fixed overhead (→ first RUNNING) | results |";

    /** The benchmarks {@code --only} can name, in the order they run. */
    static final List<String> BENCHMARKS = List.of("cold-start", "submission", "dispatch", "burst", "spark", "faults");

    private BenchMain() {
    }

    /**
     * @param tracing        validate exports its spans over OTLP/HTTP during the submission benchmark (tracing's cost)
     * @param ratesOverride  the submission benchmark's rates instead of the mode's (empty: the mode's)
     */
    record Options(Path root, boolean quick, boolean profile, Set<String> only, List<Long> sparkRowsOverride,
                   SparkOptions spark, String commandLine, boolean tracing, List<Double> ratesOverride) {
        static final String USAGE = "usage: bench/run [--quick|--full] [--profile] [--tracing] [--submission-rates 100,500] [--only "
                + String.join(",", BENCHMARKS) + "] [--spark-rows 1000000,10000000] " + SparkOptions.USAGE;

        static Options parse(String[] args) {
            Path root = Path.of(".");
            boolean quick = false;
            boolean profile = false;
            boolean tracing = false;
            List<Double> rates = List.of();
            Set<String> only = new LinkedHashSet<>(BENCHMARKS);
            List<Long> sparkRows = List.of();
            SparkOptions spark = SparkOptions.DEFAULT;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--full" -> quick = false;
                    case "--profile" -> profile = true;
                    case "--tracing" -> tracing = true;
                    case "--submission-rates" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--submission-rates needs a list; " + USAGE);
                        }
                        rates = java.util.Arrays.stream(args[++i].split(",")).map(r -> Double.parseDouble(r.strip())).toList();
                    }
                    case "--root" -> root = Path.of(args[++i]);
                    case "--only" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--only needs a list; " + USAGE);
                        }
                        only = new LinkedHashSet<>();
                        for (String name : args[++i].split(",")) {
                            if (!BENCHMARKS.contains(name.strip())) {
                                throw new IllegalArgumentException("unknown benchmark '" + name + "'; " + USAGE);
                            }
                            only.add(name.strip());
                        }
                    }
                    case "--spark-rows" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--spark-rows needs a list; " + USAGE);
                        }
                        sparkRows = java.util.Arrays.stream(args[++i].split(",")).map(r -> Long.parseLong(r.strip().replace("_", "")))
                                .toList();
                    }
                    default -> {
                        if (!SparkOptions.handles(args[i])) {
                            throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
                        }
                        if (SparkOptions.takesValue(args[i]) && i + 1 >= args.length) {
                            throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
                        }
                        spark = spark.with(args[i], SparkOptions.takesValue(args[i]) ? args[++i] : null);
                    }
                }
            }
            return new Options(root.toAbsolutePath().normalize(), quick, profile, Set.copyOf(only), sparkRows, spark,
                    System.getProperty("bench.command", "bench/run" + (quick ? " --quick" : "")), tracing, rates);
        }

        boolean runs(String benchmark) {
            return only.contains(benchmark);
        }

        /** Every benchmark at its mode's sizes: only such a run adds a history row. */
        boolean all() {
            return only.size() == BENCHMARKS.size() && sparkRowsOverride.isEmpty() && spark.equals(SparkOptions.DEFAULT)
                    && !tracing && ratesOverride.isEmpty();
        }

        /** Input sizes of the Spark benchmark. */
        List<Long> sparkRows() {
            if (!sparkRowsOverride.isEmpty()) {
                return sparkRowsOverride;
            }
            return quick ? List.of(1_000_000L) : List.of(1_000_000L, 10_000_000L);
        }

        /** Tiny ingests for the job's fixed overhead (median shown). */
        int overheadRuns() {
            return quick ? 2 : 5;
        }

        int dispatchProcesses() {
            return quick ? 10 : 30;
        }

        int burstSize() {
            return quick ? 100 : 1000;
        }

        int coldStartRuns() {
            return quick ? 3 : 7;
        }

        List<Double> rates() {
            if (!ratesOverride.isEmpty()) {
                return ratesOverride;
            }
            return quick ? List.of(50.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 1500.0)
                    : List.of(50.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 1250.0, 1500.0, 2000.0, 2500.0);
        }

        Duration perRate() {
            return quick ? Duration.ofSeconds(8) : Duration.ofSeconds(30);
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Options options = Options.parse(args);
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        String stamp = started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm"));
        Path resultsDir = options.root().resolve("bench").resolve("results");
        Files.createDirectories(resultsDir);
        // Not under /tmp: other test suites on a shared machine clean stale /tmp/snapflow-* directories.
        Path workDir = options.root().resolve("bench").resolve("work").resolve(stamp);
        Files.createDirectories(workDir);
        MachineInfo machine = MachineInfo.read();

        StringBuilder body = new StringBuilder();
        List<String> verdicts = new ArrayList<>();
        List<ColdStartBenchmark.Summary> coldStarts = new ArrayList<>();
        List<SubmissionBenchmark.Step> steps = new ArrayList<>();
        JobFlowResults jobFlow = new JobFlowResults();
        SparkResults spark = new SparkResults();

        LocalStackOptions forTests = LocalStackOptions.forTests();
        // The functions' own Flyway scripts, read from the source tree: the stack migrates the database they expect.
        String migrations = "filesystem:" + options.root().resolve("functions/shared/src/main/resources/db/migration");
        LocalStackOptions stackOptions = new LocalStackOptions(forTests.workDir(), true, 0, 0, 0, forTests.databaseUrl(),
                forTests.databaseName(), forTests.dropDatabaseOnClose(), List.of(migrations), forTests.topics(),
                forTests.bucket(), forTests.s3Region(), forTests.s3AccessKey(), forTests.s3SecretKey(),
                forTests.startupTimeout());
        try (LocalStack stack = LocalStack.start(stackOptions)) {
            BenchEnvironment environment = new BenchEnvironment(stack, options.root(), workDir);
            Path javaHome = Path.of(System.getProperty("java.home"));

            body.append(options.runs("cold-start")
                    ? coldStartSection(options, environment, javaHome, coldStarts, resultsDir, stamp, verdicts)
                    : skipped("1. Cold start of each function", "cold-start", verdicts,
                    "cold start ≤ 0.8 s to first real request with the AOT cache", "RSS ≤ 200 MB per function"));
            body.append(options.runs("submission")
                    ? submissionSection(options, environment, steps, resultsDir, stamp, verdicts)
                    : skipped("2. Submission API (open loop)", "submission", verdicts, "submission p99 ≤ 25 ms at 500/s",
                    "≥ 1,500/s sustained before p99 passes 100 ms"));
            // The job flow runs before the Spark benchmark (which stops nothing and needs the cores to itself) but its
            // burst is section 5.
            String[] flow = jobFlowSections(options, environment, steps, verdicts, jobFlow);
            body.append(flow[0]);
            List<String> sparkVerdicts = new ArrayList<>();
            body.append(options.runs("spark")
                    ? sparkSection(options, environment, resultsDir, stamp, sparkVerdicts, spark)
                    : skipped("4. Spark actions next to DuckDB", "spark", sparkVerdicts,
                    "Spark within 3× of DuckDB rows/s on aggregate at 10M rows", "job fixed overhead ≤ 6 s"));
            body.append(flow[1]);
            int burstVerdict = verdicts.size() - 1;
            verdicts.addAll(burstVerdict, sparkVerdicts);
            body.append(options.runs("faults")
                    ? FaultsBenchmark.runSection(environment, options.root(), options.quick(), verdicts)
                    : skipped("6. Faults", "faults", verdicts, "faults: 0 lost, 0 duplicated, 0 stuck, terminal ≤ 2 min after recovery"));
        }
        deleteAotCaches(workDir);

        String loadAtEnd = MachineInfo.loadAverage();
        StringBuilder report = new StringBuilder();
        report.append("# Snapflow benchmarks, ").append(started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)).append(" UTC")
                .append(options.quick() ? " (quick)" : " (full)").append("\n\n");
        report.append(new MarkdownTable("machine", "value")
                .row("cores", machine.cores())
                .row("memory", machine.memory())
                .row("JDK", machine.jdk())
                .row("OS", machine.os())
                .row("load average at start / end (1, 5, 15 min)", machine.loadAtStart() + " / " + loadAtEnd)
                .row("git commit", machine.gitCommit(options.root()))
                .render());
        report.append("\nCommand: `").append(options.commandLine()).append("` (took ")
                .append(Duration.between(started, ZonedDateTime.now(ZoneOffset.UTC)).toMinutes()).append(" min). Everything ran on this one machine: the local ")
                .append("stack (Kafka, S3Proxy, PostgreSQL as child JVMs/processes), the functions and the load generator ")
                .append("share its cores, so figures are lower bounds of what a cluster would do. Other engineers may ")
                .append("have been building at the same time: see the load average.\n\n");
        report.append("## Targets\n\n");
        MarkdownTable targets = new MarkdownTable("target", "measured", "verdict");
        verdicts.forEach(v -> {
            String[] cells = v.split("\t", 3);
            targets.row(cells[0], cells[1], cells[2]);
        });
        report.append(targets.render()).append('\n');
        report.append(body);

        Path resultFile = resultsDir.resolve(stamp + ".md");
        Files.writeString(resultFile, report.toString());
        if (options.all()) {
            updateHistory(options, stamp, coldStarts, steps, jobFlow, spark);
        } else {
            System.err.println("Not all benchmarks ran (--only): no history row added");
        }
        System.err.println("Results: " + resultFile);
    }

    private static String coldStartSection(Options options, BenchEnvironment environment, Path javaHome,
                                           List<ColdStartBenchmark.Summary> summaries, Path resultsDir, String stamp,
                                           List<String> verdicts) {
        StringBuilder out = new StringBuilder("## 1. Cold start of each function\n\n");
        ColdStartBenchmark benchmark = new ColdStartBenchmark(environment, javaHome);
        List<ColdStartBenchmark.Run> runs = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        MarkdownTable training = new MarkdownTable("function", "AOT training run (start, " + ColdStartBenchmark.TRAINING_REQUESTS + " real requests, exit and write cache)", "cache size");
        for (String function : ControlPlane.FUNCTIONS) {
            try {
                Duration trainedIn = benchmark.train(function);
                training.row(function, String.format(Locale.ROOT, "%.1f s", trainedIn.toMillis() / 1000.0),
                        String.format(Locale.ROOT, "%.0f MiB", Files.size(benchmark.aotCache(function)) / 1048576.0));
                for (int i = 0; i < options.coldStartRuns(); i++) {
                    for (ColdStartBenchmark.Mode mode : ColdStartBenchmark.Mode.values()) {
                        ColdStartBenchmark.Run run = benchmark.measure(function, mode, i);
                        System.err.printf("cold start %s %s: health %.0f ms, first request %.0f ms (%d), RSS %d MiB%n",
                                function, mode, run.healthMillis(), run.firstRequestMillis(), run.firstRequestStatus(),
                                run.rssKib() / 1024);
                        runs.add(run);
                    }
                }
            } catch (Exception e) {
                failures.add(function + ": " + e.getMessage());
                System.err.println("cold start " + function + " failed: " + e);
            }
        }
        MarkdownTable table = new MarkdownTable("function", "mode", "runs", "start → /health/readiness 200 (ms, median)",
                "start → first real request (ms, median)", "first request status", "RSS after first request (MiB, median)");
        for (String function : ControlPlane.FUNCTIONS) {
            for (ColdStartBenchmark.Mode mode : ColdStartBenchmark.Mode.values()) {
                ColdStartBenchmark.Summary summary = ColdStartBenchmark.Summary.of(function, mode, runs);
                if (summary.runs() > 0) {
                    summaries.add(summary);
                    table.row(function, mode.name().toLowerCase(), summary.runs(), summary.healthMillis(),
                            summary.firstRequestMillis(), summary.statuses(), summary.rssMib());
                }
            }
        }
        out.append(table.render()).append('\n');
        out.append("Runs of one function alternate plain / AOT cache so drift in machine load hits both alike. ")
                .append(options.coldStartRuns()).append(" runs per mode, median shown. Real request per function:\n\n");
        for (String function : ControlPlane.FUNCTIONS) {
            out.append("* ").append(function).append(": ").append(benchmark.realRequestOf(function).description()).append('\n');
        }
        out.append("\nCommand lines (environment as in the containers: database, Kafka, S3 of the local stack):\n\n```\n")
                .append(String.join(" ", benchmark.command("<function>", List.of("[-XX:AOTCacheOutput=<function>.aot | -XX:AOTMode=on -XX:AOTCache=<function>.aot]"))))
                .append("\n```\n\n");
        out.append(training.render()).append('\n');
        failures.forEach(f -> out.append("* failed: ").append(f.replace("\n", " ")).append("\n\n"));
        if (!summaries.isEmpty()) {
            try {
                Charts.coldStarts(summaries, resultsDir.resolve(stamp + "-cold-start.png"));
                out.append("\n![cold start](").append(stamp).append("-cold-start.png)\n\n");
            } catch (IOException | RuntimeException e) {
                out.append("(plot failed: ").append(e.getMessage()).append(")\n\n");
            }
        }
        List<ColdStartBenchmark.Summary> aot = summaries.stream().filter(s -> s.mode() == ColdStartBenchmark.Mode.AOT_CACHE).toList();
        if (aot.size() == ControlPlane.FUNCTIONS.size()) {
            double worst = aot.stream().mapToDouble(ColdStartBenchmark.Summary::firstRequestMillis).max().orElseThrow();
            verdicts.add("cold start ≤ 0.8 s to first real request with the AOT cache (slowest function)\t"
                    + String.format(Locale.ROOT, "%.0f ms", worst) + "\t" + Targets.verdict(Optional.of(worst <= Targets.COLD_START_AOT_MILLIS)));
        } else {
            verdicts.add("cold start ≤ 0.8 s to first real request with the AOT cache\t–\t" + Targets.verdict(Optional.empty()));
        }
        if (!summaries.isEmpty()) {
            double rss = summaries.stream().mapToDouble(ColdStartBenchmark.Summary::rssMib).max().orElseThrow();
            verdicts.add("RSS ≤ 200 MB per function (largest median, after the first request)\t"
                    + String.format(Locale.ROOT, "%.0f MiB", rss) + "\t" + Targets.verdict(Optional.of(rss <= Targets.RSS_MIB)));
        }
        return out.toString();
    }

    private static String submissionSection(Options options, BenchEnvironment environment,
                                            List<SubmissionBenchmark.Step> steps, Path resultsDir, String stamp,
                                            List<String> verdicts) {
        StringBuilder out = new StringBuilder("## 2. Submission API (open loop)\n\n");
        Path recording = options.profile() ? environment.workDir().resolve("validate-submission.jfr") : null;
        SubmissionBenchmark benchmark = new SubmissionBenchmark(environment, recording, options.tracing());
        try {
            benchmark.setUp();
            steps.addAll(benchmark.run(options.rates(), options.perRate(), Duration.ofSeconds(5)));
        } catch (Exception e) {
            out.append("* failed: ").append(String.valueOf(e.getMessage()).replace("\n", " ")).append("\n\n");
            System.err.println("submission benchmark failed: " + e);
        } finally {
            benchmark.tearDown();
        }
        out.append(options.tracing()
                ? "**Tracing on** (`--tracing`): validate exported its spans over OTLP/HTTP (batch span processor, the "
                        + "SDK's defaults) to a sink in the benchmark JVM that discards them (" + benchmark.exported() + ").\n\n"
                : "Tracing off: validate's default, no exporter (`OTEL_TRACES_EXPORTER` unset).\n\n");
        if (recording != null) {
            out.append("JFR recording of validate during this benchmark (profile settings): `").append(recording)
                    .append("` (`jfr print --events jdk.ExecutionSample`; it adds overhead to these figures).\n\n");
        }
        out.append("`POST /v1/processes` with body `").append(SubmissionBenchmark.BODY.strip())
                .append("` (a new process each time, no Idempotency-Key) on the real validate function: API key check, ")
                .append("catalog and params validation, HEAD of the input manifest on S3Proxy, process + steps + outbox in ")
                .append("one PostgreSQL transaction. **Only validate runs** (no enqueue/launch), so no job is started. ")
                .append("Fixed arrival rate, each request due at start + i/rate and its latency counted from then ")
                .append("(no coordinated omission); java.net.http.HttpClient (async, HTTP/1.1) in the benchmark JVM on the ")
                .append("same machine; HdrHistogram. ").append(options.perRate().toSeconds())
                .append(" s per rate after a 5 s warm-up at 50/s; rates rise until accepted < 90 % of offered, p99 > 1 s ")
                .append("or > 1 % errors.\n\n");
        MarkdownTable table = new MarkdownTable("offered/s", "accepted/s", "sent", "accepted (201)", "errors", "other outcomes",
                "p50 ms", "p95 ms", "p99 ms", "max ms");
        for (SubmissionBenchmark.Step step : steps) {
            table.row(step.offeredPerSecond(), step.acceptedPerSecond(), step.sent(), step.accepted(), step.errors(),
                    step.otherStatuses().isEmpty() ? null : step.otherStatuses(), step.latency().p50Millis(),
                    step.latency().p95Millis(), step.latency().p99Millis(), step.latency().maxMillis());
        }
        out.append(table.render()).append('\n');
        if (!benchmark.cpuMillisPerAccepted().isEmpty()) {
            out.append("validate's CPU time (all its threads) per accepted submission: ")
                    .append(benchmark.cpuMillisPerAccepted().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                            .map(e -> String.format(Locale.ROOT, "%.2f ms at %.0f/s", e.getValue(), e.getKey()))
                            .collect(java.util.stream.Collectors.joining(", ")))
                    .append(" (the first rate is the warm-up, JIT included).\n\n");
        }
        if (!steps.isEmpty()) {
            try {
                Charts.submissionLatency(steps, resultsDir.resolve(stamp + "-submission-latency.png"));
                Charts.submissionThroughput(steps, resultsDir.resolve(stamp + "-submission-throughput.png"));
                out.append("![submission latency](").append(stamp).append("-submission-latency.png)\n")
                        .append("![submission throughput](").append(stamp).append("-submission-throughput.png)\n\n");
            } catch (IOException | RuntimeException e) {
                out.append("(plot failed: ").append(e.getMessage()).append(")\n\n");
            }
        }
        Optional<SubmissionBenchmark.Step> at500 = steps.stream().filter(s -> s.offeredPerSecond() == 500).findFirst();
        verdicts.add("submission p99 ≤ 25 ms at 500/s\t" + at500.map(s -> String.format(Locale.ROOT, "%.1f ms (%.0f/s accepted)",
                s.latency().p99Millis(), s.acceptedPerSecond())).orElse(steps.isEmpty() ? "–"
                : String.format(Locale.ROOT, "– (not reached: the rates stopped at %.0f/s)", steps.getLast().offeredPerSecond()))
                + "\t" + Targets.verdict(Targets.submissionAt500(steps)));
        double sustained = Targets.sustainedRate(steps);
        verdicts.add("≥ 1,500/s sustained before p99 passes 100 ms\t" + String.format(Locale.ROOT, "%.0f/s", sustained)
                + "\t" + Targets.verdict(steps.isEmpty() ? Optional.empty() : Optional.of(sustained >= Targets.SUSTAINED_RATE)));
        return out.toString();
    }

    /** A benchmark left out by {@code --only}: its section says so and its targets are "not measured". */
    private static String skipped(String title, String name, List<String> verdicts, String... targets) {
        for (String target : targets) {
            verdicts.add(target + "\t– (not run: --only)\t" + Targets.verdict(Optional.empty()));
        }
        return "## " + title + "\n\nNot run (`--only` left out " + name + ").\n\n";
    }

    /** What the job flow measured, for the history row. */
    static final class JobFlowResults {
        JobFlowBenchmark.Dispatch atRest;
        JobFlowBenchmark.UnderLoad underLoad;
    }

    /** What the Spark benchmark measured, for the history row. */
    static final class SparkResults {
        SparkActionsBenchmark.Overhead overhead;
        final List<SparkActionsBenchmark.Size> sizes = new ArrayList<>();

        /** The comparison of one action at the largest size measured, if any. */
        Optional<SparkActionsBenchmark.Comparison> atLargest(String action) {
            return sizes.stream().max(java.util.Comparator.comparingLong(SparkActionsBenchmark.Size::rows))
                    .flatMap(size -> size.comparisons().stream().filter(c -> c.action().equals(action)).findFirst());
        }

        double overheadMedianMillis() {
            return overhead == null ? Double.NaN : Median.of(overhead.firstRunningMillis());
        }
    }

    private static String sparkSection(Options options, BenchEnvironment environment, Path resultsDir, String stamp,
                                       List<String> verdicts, SparkResults results) {
        StringBuilder out = new StringBuilder("## 4. Spark actions next to DuckDB\n\n");
        SparkActionsBenchmark benchmark = new SparkActionsBenchmark(environment, options.root(), options.spark());
        StringBuilder overheadStudy = new StringBuilder();
        String failure = null;
        try {
            benchmark.setUp();
            if (options.spark().overheadRepeats() == 0) {
                results.overhead = benchmark.fixedOverhead(options.overheadRuns());
            }
            for (long rows : options.sparkRows()) {
                if (options.spark().overheadRepeats() > 0) {
                    overheadStudy.append(SparkActionsBenchmark.overheadSection(rows, benchmark.overhead(rows,
                            options.spark().overheadRepeats(), options.spark().beforeJar())));
                } else {
                    results.sizes.add(benchmark.compare(rows));
                }
            }
        } catch (Exception e) {
            failure = String.valueOf(e.getMessage()).replace("\n", " ");
            System.err.println("spark benchmark failed: " + e);
        } finally {
            benchmark.tearDown();
        }
        out.append("The real job (`spark-jobs/target/spark-jobs-*.jar`, shaded, copied into the run's work directory at ")
                .append("the start so that a rebuild meanwhile cannot break it, followed by `spark-classpath.txt`) as ")
                .append("production's local backend runs it: one child JVM per step, its command line from spark-jobs' ")
                .append("`LocalJobCommand`, each action with the heap and Spark local mode the launcher's local backend gives ")
                .append("its profile in the shipped action catalog (driver + executors' memory, executors' task slots up to ")
                .append("this machine's cores: ").append(benchmark.profiles() == null ? "–" : benchmark.profiles().values().stream()
                        .map(LocalJobProfile::describe).collect(java.util.stream.Collectors.joining("; ")))
                .append(")").append(options.spark().jvmOptions().isEmpty() ? "" : ", plus `" + String.join(" ",
                        options.spark().jvmOptions()) + "`")
                .append(", reading and writing S3Proxy over s3a, its status reports POSTed to a ")
                .append("receiver in the benchmark JVM. No control plane runs meanwhile. Params: the job's examples ")
                .append("(`spark-jobs/src/main/resources/params/examples/<action>.orders.json`). Input: generated orders ")
                .append("(`OrdersSpec.ofRows(2026, rows)`: one CSV file per started million rows, at least 4, dirt included) ")
                .append("published with `SnapshotPublisher`; the pipeline is ingest → clean → aggregate, and compact of ")
                .append("the bronze output.\n\n")
                .append("DuckDB ").append(duckDbVersion()).append(" (`duckdb_jdbc`, in the benchmark JVM, default settings: ")
                .append("all cores) does the same computation on **the same files, downloaded from S3Proxy to local disk ")
                .append("first** (not timed; DuckDB's httpfs extension cannot be installed offline), each step in a fresh ")
                .append("in-memory database, and writes its output as Parquet to local disk: ingest = the raw CSV read ")
                .append("with all columns as text (plus the file name) → Parquet; clean = `IndependentRefresh.CLEAN` ")
                .append("(local/sample-data) over Spark's bronze Parquet → Parquet; aggregate = `IndependentRefresh.AGGREGATE` ")
                .append("over Spark's silver Parquet → Parquet; compact = Spark's bronze Parquet rewritten with the ")
                .append("example's target file size. Differences that favour DuckDB: its clean keeps the 9 columns the ")
                .append("aggregate needs (Spark's keeps all 15), checks no quality rules and writes no quarantine; its ")
                .append("aggregate has no approximate median; it reads local files where Spark reads S3 over HTTP.\n\n")
                .append("Spark's rows/s is rows in over the job's own `durationMs` (from its start, Spark session ")
                .append("included, to the commit); \"process\" is over the whole child JVM (start → exit). The ratio is ")
                .append("DuckDB's rows/s over Spark's job rows/s (3 means DuckDB is 3× faster; the target is ≤ 3).\n\n");
        out.append(overheadStudy);
        if (results.overhead != null) {
            SparkActionsBenchmark.Overhead o = results.overhead;
            out.append("### Fixed overhead\n\n")
                    .append(new MarkdownTable("ingest of 10 rows (new snapshot each)", "runs", "start → first RUNNING report (ms, median)",
                            "start → exit (ms, median)", "SUCCEEDED report → exit (ms, median)", "job JVM CPU s (median)",
                            "cached repeat (output exists, no Spark): start → exit (ms)")
                            .row("`" + String.join(" ", abbreviated(benchmark)) + "`", o.firstRunningMillis().size(),
                                    Median.of(o.firstRunningMillis()), Median.of(o.exitMillis()),
                                    Median.of(o.succeededToExitMillis()), Median.of(o.cpuSeconds()), o.cachedExitMillis())
                            .render()).append('\n');
        }
        MarkdownTable table = new MarkdownTable("rows", "action", "Spark rows in", "Spark rows out", "Spark job ms",
                "Spark process ms", "Spark → first RUNNING ms", "Spark CPU s", "Spark rows/s (job)", "Spark rows/s (process)", "DuckDB rows in", "DuckDB rows out",
                "DuckDB ms", "DuckDB rows/s", "DuckDB ÷ Spark");
        List<SparkActionsBenchmark.Comparison> all = new ArrayList<>();
        for (SparkActionsBenchmark.Size size : results.sizes) {
            for (SparkActionsBenchmark.Comparison c : size.comparisons()) {
                all.add(c);
                table.row(Charts.rowsLabel(c.rows()), c.action(), c.spark().rowsIn(), c.spark().rowsOut(), c.spark().jobMillis(),
                        c.spark().processMillis(), c.spark().firstRunningMillis(), c.spark().cpuSeconds(), c.sparkRowsPerSecond(), c.sparkProcessRowsPerSecond(), c.duck().rowsIn(),
                        c.duck().rowsOut(), c.duck().millis(), c.duckRowsPerSecond(),
                        String.format(Locale.ROOT, "%.2f×", c.duckOverSpark()));
            }
        }
        if (!all.isEmpty()) {
            out.append("### Rows per second\n\n").append(table.render()).append('\n');
            MarkdownTable inputs = new MarkdownTable("rows", "CSV files", "CSV size (MiB)", "generated and published in (s)");
            results.sizes.forEach(size -> inputs.row(Charts.rowsLabel(size.rows()), size.files(),
                    String.format(Locale.ROOT, "%.0f", size.csvBytes() / 1048576.0), size.publishSeconds()));
            out.append(inputs.render()).append('\n');
            out.append(SparkActionsBenchmark.stagesSection(results.sizes, options.spark()));
            out.append("Rows in differ between the two on clean/aggregate only if they disagree on the input; rows out ")
                    .append("differ where the computations differ (Spark's clean also drops rows its rules reject).\n\n");
            try {
                Charts.sparkVsDuckDb(all, resultsDir.resolve(stamp + "-spark-vs-duckdb.png"));
                out.append("![Spark vs DuckDB](").append(stamp).append("-spark-vs-duckdb.png)\n\n");
            } catch (IOException | RuntimeException e) {
                out.append("(plot failed: ").append(e.getMessage()).append(")\n\n");
            }
        }
        out.append("Job logs: `bench/work/").append(environment.workDir().getFileName()).append("/spark/logs/`.\n\n");
        if (failure != null) {
            out.append("* failed: ").append(failure).append("\n\n");
        }
        Optional<SparkActionsBenchmark.Comparison> aggregate = results.atLargest("aggregate");
        boolean atTargetSize = aggregate.map(c -> c.rows() >= Targets.SPARK_TARGET_ROWS).orElse(false);
        verdicts.add("Spark within 3× of DuckDB rows/s on aggregate at 10M rows\t"
                + aggregate.map(c -> String.format(Locale.ROOT, "DuckDB %.2f× Spark at %s rows", c.duckOverSpark(),
                Charts.rowsLabel(c.rows()))).orElse("–")
                + "\t" + (aggregate.isPresent() && !atTargetSize ? "not measured at 10M (quick runs 1M only)"
                : Targets.verdict(aggregate.flatMap(c -> Targets.sparkWithinDuckDb(c.duckOverSpark())))));
        double overhead = results.overheadMedianMillis();
        verdicts.add("job fixed overhead ≤ 6 s (process start → first RUNNING report, median of 10-row ingests)\t"
                + (Double.isNaN(overhead) ? "–" : String.format(Locale.ROOT, "%.0f ms (→ exit: %.0f ms)", overhead,
                Median.of(results.overhead.exitMillis())))
                + "\t" + Targets.verdict(Targets.jobFixedOverhead(overhead)));
        return out.toString();
    }

    /** The job's command line with the class path and JVM options shortened, for the results file. */
    private static List<String> abbreviated(SparkActionsBenchmark benchmark) {
        if (benchmark.command() == null) {
            return List.of("(not built)");
        }
        return List.of("java", "-Xmx" + benchmark.profiles().get("ingest").heapMb() + "m", "{LocalJobCommand.JVM_OPTIONS}",
                String.join(" ", benchmark.profiles().get("ingest").backendProperties(Path.of("<tmp>"))),
                String.join(" ", benchmark.options().jvmOptions()), "-cp",
                "bench/work/<run>/spark/" + benchmark.command().jobJar().getFileName() + ":{spark-classpath.txt}",
                "dev.snapflow.spark.SnapflowJob", "--tenant", "...", "--action", "ingest", "...");
    }

    private static String duckDbVersion() {
        try (java.sql.Connection duck = java.sql.DriverManager.getConnection("jdbc:duckdb:");
             java.sql.Statement sql = duck.createStatement();
             java.sql.ResultSet row = sql.executeQuery("SELECT version()")) {
            row.next();
            return row.getString(1);
        } catch (java.sql.SQLException e) {
            return "(version unknown)";
        }
    }

    /** [section 3 (dispatch), section 5 (burst)]. */
    private static String[] jobFlowSections(Options options, BenchEnvironment environment,
                                            List<SubmissionBenchmark.Step> steps, List<String> verdicts,
                                            JobFlowResults results) {
        boolean dispatchRuns = options.runs("dispatch");
        boolean burstRuns = options.runs("burst");
        if (!dispatchRuns && !burstRuns) {
            List<String> none = new ArrayList<>();
            String dispatch = skipped("3. Dispatch latency", "dispatch", none,
                    "dispatch accepted → job started (launched) p99 ≤ 150 ms at rest");
            String burst = skipped("5. Burst", "burst", none, "burst: 0 lost, 0 duplicated");
            verdicts.addAll(none);
            return new String[]{dispatch, burst};
        }
        StringBuilder out = new StringBuilder();
        JobFlowBenchmark benchmark = new JobFlowBenchmark(environment, options.root());
        JobFlowBenchmark.Dispatch dispatch = null;
        JobFlowBenchmark.UnderLoad underLoad = null;
        JobFlowBenchmark.Burst burst = null;
        String failure = null;
        double loadRate = JobFlowBenchmark.LOAD_RATE;
        try {
            benchmark.setUp();
            if (dispatchRuns) {
                dispatch = benchmark.atRest(options.dispatchProcesses());
                underLoad = benchmark.underLoad(options.dispatchProcesses(), loadRate,
                        Duration.ofMinutes(options.quick() ? 2 : 6));
            }
            if (burstRuns) {
                // A bound, not a target: on 2 cores the jobs drain at about 0.5/s (each is a JVM), so 1,000 take
                // ~32 min; the wait gives them twice that before it reports the burst as not determined.
                burst = benchmark.burst(options.burstSize(), Duration.ofMinutes(options.quick() ? 8 : 65));
            }
        } catch (Exception e) {
            failure = String.valueOf(e.getMessage()).replace("\n", " ");
            System.err.println("job flow benchmark failed: " + e);
        } finally {
            benchmark.tearDown();
        }
        results.atRest = dispatch;
        results.underLoad = underLoad;
        if (dispatchRuns) {
            out.append("## 3. Dispatch latency (at rest and under load)\n\n")
                    .append("All four functions (Kafka transport) and the end-to-end tests' TestJob through the local backend, ")
                    .append("configured as functions/integration-tests does (catalog `functions/integration-tests/src/main/resources/it-action-catalog.yml`")
                    .append(", SNAPFLOW_LOCAL_MAX_JOBS=6, enqueue sweep 500 ms, outbox relay 500 ms). The job does no Spark work. ")
                    .append("Body `").append(JobFlowBenchmark.BODY.strip()).append("`; one process at a time, each waited for until ")
                    .append("terminal (at rest after one uncounted warm-up process). From the database: `processes.created_at` (accepted) → `attempts.launched_at` (launch's ")
                    .append("backend call returned: the job's JVM was started) and → `attempts.started_at` (the job's first RUNNING ")
                    .append("report).\n\n")
                    .append("**Under load**: meanwhile tenant `").append(JobFlowBenchmark.LOAD_TENANT).append("` (maxConcurrentJobs=1) ")
                    .append("submits `").append(JobFlowBenchmark.LOAD_BODY.strip()).append("` open-loop at a fixed ")
                    .append(MarkdownTable.format(loadRate)).append("/s (fixed so that runs compare), from 5 s before the first ")
                    .append("measured process to the last; measured processes start for at most ")
                    .append(options.quick() ? "2" : "6").append(" min. Its single slot is held by one slow ")
                    .append("TestJob started first, so its processes go through validate, the outbox relay, Kafka and enqueue's ")
                    .append("queue in PostgreSQL but start no job that would take the cores. Afterwards every process of that ")
                    .append("tenant that is not terminal is cancelled through `POST /v1/processes/{id}/cancel`.\n\n");
            MarkdownTable table = new MarkdownTable("stage", "condition", "processes", "not terminal within 60 s (left out)",
                    "p50 ms", "p99 ms", "max ms");
            for (var row : List.of(java.util.Map.entry("at rest", Optional.ofNullable(dispatch)),
                    java.util.Map.entry("under load", Optional.ofNullable(underLoad).map(JobFlowBenchmark.UnderLoad::dispatch)))) {
                row.getValue().ifPresent(d -> {
                    table.row("accepted → job launched", row.getKey(), d.launchedMillis().size(), d.timedOut(), percentile(d.launchedMillis(), 50),
                            percentile(d.launchedMillis(), 99), percentile(d.launchedMillis(), 100));
                    table.row("accepted → first RUNNING report", row.getKey(), d.startedMillis().size(), d.timedOut(), percentile(d.startedMillis(), 50),
                            percentile(d.startedMillis(), 99), percentile(d.startedMillis(), 100));
                });
            }
            out.append(table.render()).append('\n');
            if (underLoad != null) {
                JobFlowBenchmark.Load load = underLoad.load();
                out.append(new MarkdownTable("load: offered/s", "ran (s)", "sent", "accepted (201)", "errors", "p50 ms", "p99 ms",
                        "max ms", "queued when the load stopped", "cancelled", "not terminal after cancelling")
                        .row(load.offeredPerSecond(), load.seconds(), load.sent(), load.accepted(), load.errors(),
                                load.latency().p50Millis(), load.latency().p99Millis(), load.latency().maxMillis(),
                                load.queuedAtEnd(), load.cancelled(), load.notTerminalAfterCancel())
                        .render()).append('\n');
            }
            if (dispatch != null) {
                double p99 = percentile(dispatch.launchedMillis(), 99);
                verdicts.add("dispatch accepted → job started (launched) p99 ≤ 150 ms at rest\t"
                        + String.format(Locale.ROOT, "%.0f ms (first RUNNING report: %.0f ms)", p99, percentile(dispatch.startedMillis(), 99))
                        + "\t" + Targets.verdict(dispatch.launchedMillis().isEmpty() ? Optional.empty()
                        : Optional.of(p99 <= Targets.DISPATCH_LAUNCHED_P99_MILLIS)));
            } else {
                verdicts.add("dispatch accepted → job started p99 ≤ 150 ms at rest\t–\t" + Targets.verdict(Optional.empty()));
            }
            if (failure != null && (dispatch == null || underLoad == null)) {
                out.append("* failed: ").append(failure).append("\n\n");
            }
        } else {
            out.append(skipped("3. Dispatch latency", "dispatch", verdicts,
                    "dispatch accepted → job started (launched) p99 ≤ 150 ms at rest"));
        }
        String dispatchSection = out.toString();
        out = new StringBuilder();
        if (!burstRuns) {
            return new String[]{dispatchSection, skipped("5. Burst", "burst", verdicts, "burst: 0 lost, 0 duplicated")};
        }
        out.append("## 5. Burst\n\n")
                .append(options.burstSize()).append(" submissions as fast as the API takes them (16 in flight) for one tenant ")
                .append("with maxConcurrentJobs=").append(JobFlowBenchmark.TENANT_CONCURRENCY).append(", then waiting until every ")
                .append("accepted process is terminal. Job starts per step attempt are counted from TestJob's marker objects ")
                .append("(`it-runs/{jobId}/...`, one per start).\n\n");
        if (burst != null) {
            out.append(new MarkdownTable("submitted", "accepted", "submitting took (s)",
                    burst.allTerminal() ? "all terminal after (s)" : "gave up waiting after (s)", "succeeded",
                    "terminal, not succeeded", "not terminal (by state)", "accepted but no process row", "attempts",
                    "attempts started more than once", "attempts not started")
                    .row(burst.submitted(), burst.accepted(), burst.submitSeconds(), burst.allTerminalSeconds(), burst.succeeded(),
                            burst.notSucceeded() - burst.notTerminal(),
                            burst.notTerminal() + (burst.notTerminal() > 0 ? " " + burst.notTerminalStates() : ""),
                            burst.missing(), burst.attempts(), burst.duplicated(), burst.notStarted())
                    .render()).append('\n');
            Optional<Boolean> met = burst.duplicated() > 0 || burst.missing() > 0 ? Optional.of(false)
                    : burst.allTerminal() ? Optional.of(true) : Optional.empty();
            verdicts.add("burst: 0 lost, 0 duplicated (" + burst.submitted() + " submissions)\t"
                    + burst.missing() + " without a process row, " + burst.notTerminal() + " not terminal when the wait ended "
                    + burst.notTerminalStates() + ", " + burst.duplicated() + " attempts started more than once"
                    + "\t" + (met.isEmpty() ? "not determined (not all terminal in time)" : Targets.verdict(met)));
        } else {
            verdicts.add("burst: 0 lost, 0 duplicated\t–\t" + Targets.verdict(Optional.empty()));
        }
        boolean dispatchFailed = dispatchRuns && (dispatch == null || underLoad == null);
        if (failure != null && !dispatchFailed) {
            out.append("* failed: ").append(failure).append("\n\n");
        }
        return new String[]{dispatchSection, out.toString()};
    }

    /** The caches are large (about 90 MiB each) and only valid for this build; the logs stay in bench/work/. */
    private static void deleteAotCaches(Path workDir) throws IOException {
        Path aot = workDir.resolve("aot");
        if (Files.isDirectory(aot)) {
            try (var files = Files.list(aot)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(aot);
        }
    }

    /** Nearest-rank percentile of a few samples (100 = max). */
    static double percentile(List<Double> values, double percentile) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static void updateHistory(Options options, String stamp, List<ColdStartBenchmark.Summary> coldStarts,
                                      List<SubmissionBenchmark.Step> steps, JobFlowResults jobFlow,
                                      SparkResults spark) throws IOException {
        Path readme = options.root().resolve("bench").resolve("README.md");
        if (!Files.isRegularFile(readme)) {
            return;
        }
        double coldAot = coldStarts.stream().filter(s -> s.mode() == ColdStartBenchmark.Mode.AOT_CACHE)
                .mapToDouble(ColdStartBenchmark.Summary::firstRequestMillis).max().orElse(Double.NaN);
        double rss = coldStarts.stream().mapToDouble(ColdStartBenchmark.Summary::rssMib).max().orElse(Double.NaN);
        Optional<SubmissionBenchmark.Step> at500 = steps.stream().filter(s -> s.offeredPerSecond() == 500).findFirst();
        String row = "| " + LocalDate.now(ZoneOffset.UTC) + " | " + (options.quick() ? "quick" : "full") + " | "
                + MarkdownTable.format(coldAot) + " ms | " + MarkdownTable.format(rss) + " MiB | "
                + at500.map(s -> MarkdownTable.format(s.latency().p99Millis()) + " ms").orElse("–") + " | "
                + String.format(Locale.ROOT, "%.0f/s", Targets.sustainedRate(steps)) + " | "
                + (jobFlow.atRest == null ? "–" : MarkdownTable.format(percentile(jobFlow.atRest.launchedMillis(), 99)) + " ms") + " | "
                + spark.atLargest("aggregate").map(c -> String.format(Locale.ROOT, "%.2f× (%s)", c.duckOverSpark(),
                Charts.rowsLabel(c.rows()))).orElse("–") + " | "
                + (Double.isNaN(spark.overheadMedianMillis()) ? "–" : MarkdownTable.format(spark.overheadMedianMillis()) + " ms")
                + " | [" + stamp + "](results/" + stamp + ".md) |";
        Files.writeString(readme, HistoryTable.withRow(Files.readString(readme), HISTORY_HEADER, row));
    }
}
