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
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs the benchmarks on this machine and writes {@code bench/results/<date>.md} with PNG plots beside it, and a row
 * of headline figures into {@code bench/README.md}. Usage (through {@code bench/run}):
 * {@code BenchMain --root <repo> [--quick]}.
 */
public final class BenchMain {
    private static final String HISTORY_HEADER =
            "| date | mode | cold start → first request, AOT (max over functions) | RSS (max) | submission p99 @500/s | sustained rate (p99 ≤ 100 ms) | results |";

    private BenchMain() {
    }

    record Options(Path root, boolean quick, boolean profile, String commandLine) {
        static Options parse(String[] args) {
            Path root = Path.of(".");
            boolean quick = false;
            boolean profile = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--full" -> quick = false;
                    case "--profile" -> profile = true;
                    case "--root" -> root = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: bench/run [--quick|--full] [--profile]");
                }
            }
            return new Options(root.toAbsolutePath().normalize(), quick, profile,
                    System.getProperty("bench.command", "bench/run" + (quick ? " --quick" : "")));
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

            body.append(coldStartSection(options, environment, javaHome, coldStarts, resultsDir, stamp, verdicts));
            body.append(submissionSection(options, environment, steps, resultsDir, stamp, verdicts));
            body.append(jobFlowSections(options, environment, verdicts));
        }
        body.append(notMeasuredSection());
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
        report.append("\nCommand: `").append(options.commandLine()).append("`. Everything ran on this one machine: the local ")
                .append("stack (Kafka, S3Proxy, PostgreSQL as child JVMs/processes), the functions and the load generator ")
                .append("share its cores, so figures are lower bounds of what a cluster would do. Other engineers may ")
                .append("have been building at the same time: see the load average.\n\n");
        report.append("## Targets\n\n");
        MarkdownTable targets = new MarkdownTable("target", "measured", "verdict");
        verdicts.forEach(v -> {
            String[] cells = v.split("\t", 3);
            targets.row(cells[0], cells[1], cells[2]);
        });
        targets.row("Spark within 3× of DuckDB rows/s on aggregate at 10M rows", "–", Targets.verdict(Optional.empty()));
        targets.row("job fixed overhead ≤ 6 s", "–", Targets.verdict(Optional.empty()));
        report.append(targets.render()).append('\n');
        report.append(body);

        Path resultFile = resultsDir.resolve(stamp + ".md");
        Files.writeString(resultFile, report.toString());
        updateHistory(options, stamp, coldStarts, steps);
        System.err.println("Results: " + resultFile);
    }

    private static String coldStartSection(Options options, BenchEnvironment environment, Path javaHome,
                                           List<ColdStartBenchmark.Summary> summaries, Path resultsDir, String stamp,
                                           List<String> verdicts) {
        StringBuilder out = new StringBuilder("## 1. Cold start of each function\n\n");
        ColdStartBenchmark benchmark = new ColdStartBenchmark(environment, javaHome);
        List<ColdStartBenchmark.Run> runs = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        MarkdownTable training = new MarkdownTable("function", "AOT training run (start, 20 requests, exit and write cache)", "cache size");
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
        MarkdownTable table = new MarkdownTable("function", "mode", "runs", "start → /health 200 (ms, median)",
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
            out.append("* ").append(function).append(": ").append(ColdStartBenchmark.realRequestOf(function).description()).append('\n');
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
            } catch (IOException e) {
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
        SubmissionBenchmark benchmark = new SubmissionBenchmark(environment, recording);
        try {
            benchmark.setUp();
            steps.addAll(benchmark.run(options.rates(), options.perRate(), Duration.ofSeconds(5)));
        } catch (Exception e) {
            out.append("* failed: ").append(String.valueOf(e.getMessage()).replace("\n", " ")).append("\n\n");
            System.err.println("submission benchmark failed: " + e);
        } finally {
            benchmark.tearDown();
        }
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
        if (!steps.isEmpty()) {
            try {
                Charts.submissionLatency(steps, resultsDir.resolve(stamp + "-submission-latency.png"));
                Charts.submissionThroughput(steps, resultsDir.resolve(stamp + "-submission-throughput.png"));
                out.append("![submission latency](").append(stamp).append("-submission-latency.png)\n")
                        .append("![submission throughput](").append(stamp).append("-submission-throughput.png)\n\n");
            } catch (IOException e) {
                out.append("(plot failed: ").append(e.getMessage()).append(")\n\n");
            }
        }
        Optional<SubmissionBenchmark.Step> at500 = steps.stream().filter(s -> s.offeredPerSecond() == 500).findFirst();
        verdicts.add("submission p99 ≤ 25 ms at 500/s\t" + at500.map(s -> String.format(Locale.ROOT, "%.1f ms (%.0f/s accepted)",
                s.latency().p99Millis(), s.acceptedPerSecond())).orElse("– (not reached)")
                + "\t" + Targets.verdict(at500.map(s -> s.latency().p99Millis() <= Targets.SUBMISSION_P99_AT_500_MILLIS
                && s.acceptedPerSecond() >= 0.9 * 500)));
        double sustained = Targets.sustainedRate(steps);
        verdicts.add("≥ 1,500/s sustained before p99 passes 100 ms\t" + String.format(Locale.ROOT, "%.0f/s", sustained)
                + "\t" + Targets.verdict(steps.isEmpty() ? Optional.empty() : Optional.of(sustained >= Targets.SUSTAINED_RATE)));
        return out.toString();
    }

    private static String notMeasuredSection() {
        return """
                ## 4. Spark actions next to DuckDB: not measured yet

                Not in this harness yet (see bench/README.md, "What is not measured yet").
                """;
    }

    private static String jobFlowSections(Options options, BenchEnvironment environment, List<String> verdicts) {
        StringBuilder out = new StringBuilder();
        JobFlowBenchmark benchmark = new JobFlowBenchmark(environment, options.root());
        JobFlowBenchmark.Dispatch dispatch = null;
        JobFlowBenchmark.Burst burst = null;
        String failure = null;
        try {
            benchmark.setUp();
            dispatch = benchmark.atRest(options.dispatchProcesses());
            burst = benchmark.burst(options.burstSize(), Duration.ofMinutes(options.quick() ? 8 : 30));
        } catch (Exception e) {
            failure = String.valueOf(e.getMessage()).replace("\n", " ");
            System.err.println("job flow benchmark failed: " + e);
        } finally {
            benchmark.tearDown();
        }
        out.append("## 3. Dispatch latency (at rest)\n\n")
                .append("All four functions (Kafka transport) and the end-to-end tests' TestJob through the local backend, ")
                .append("configured as functions/integration-tests does (catalog `functions/integration-tests/src/main/resources/it-action-catalog.yml`")
                .append(", SNAPFLOW_LOCAL_MAX_JOBS=6, enqueue sweep 500 ms, outbox relay 500 ms). The job does no Spark work. ")
                .append("Body `").append(JobFlowBenchmark.BODY.strip()).append("`; one process at a time, each waited for until ")
                .append("terminal, after one uncounted warm-up process. From the database: `processes.created_at` (accepted) → `attempts.launched_at` (launch's ")
                .append("backend call returned: the job's JVM was started) and → `attempts.started_at` (the job's first RUNNING ")
                .append("report). Under the load of (2): not measured yet.\n\n");
        if (dispatch != null) {
            MarkdownTable table = new MarkdownTable("stage", "processes", "p50 ms", "p99 ms", "max ms");
            table.row("accepted → job launched", dispatch.launchedMillis().size(), percentile(dispatch.launchedMillis(), 50),
                    percentile(dispatch.launchedMillis(), 99), percentile(dispatch.launchedMillis(), 100));
            table.row("accepted → first RUNNING report", dispatch.startedMillis().size(), percentile(dispatch.startedMillis(), 50),
                    percentile(dispatch.startedMillis(), 99), percentile(dispatch.startedMillis(), 100));
            out.append(table.render()).append('\n');
            if (dispatch.timedOut() > 0) {
                out.append("* ").append(dispatch.timedOut()).append(" process(es) not terminal within 60 s (left out)\n\n");
            }
            double p99 = percentile(dispatch.launchedMillis(), 99);
            verdicts.add("dispatch accepted → job started (launched) p99 ≤ 150 ms at rest\t"
                    + String.format(Locale.ROOT, "%.0f ms (first RUNNING report: %.0f ms)", p99, percentile(dispatch.startedMillis(), 99))
                    + "\t" + Targets.verdict(dispatch.launchedMillis().isEmpty() ? Optional.empty() : Optional.of(p99 <= 150)));
        } else {
            verdicts.add("dispatch accepted → job started p99 ≤ 150 ms at rest\t–\t" + Targets.verdict(Optional.empty()));
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
        if (failure != null) {
            out.append("* failed: ").append(failure).append("\n\n");
        }
        return out.toString();
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
                                      List<SubmissionBenchmark.Step> steps) throws IOException {
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
                + String.format(Locale.ROOT, "%.0f/s", Targets.sustainedRate(steps)) + " | [" + stamp + "](results/" + stamp + ".md) |";
        Files.writeString(readme, HistoryTable.withRow(Files.readString(readme), HISTORY_HEADER, row));
    }
}
