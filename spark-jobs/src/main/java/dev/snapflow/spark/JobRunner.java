package dev.snapflow.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestFiles;
import dev.snapflow.contracts.storage.OutputId;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.contracts.storage.UnsafeManifestException;
import dev.snapflow.spark.actions.ActionCatalog;
import dev.snapflow.spark.actions.ActionContext;
import dev.snapflow.spark.actions.ActionResult;
import dev.snapflow.spark.actions.JobAction;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the job, in the order that keeps failures cheap and storage consistent:
 * <ol>
 *   <li>arguments and environment (a wrong one exits 64 with a one-line reason, nothing reported);</li>
 *   <li>params against the action's JSON Schema, the output location against {@link OutputId}: INVALID_PARAMS
 *       before Spark starts;</li>
 *   <li>the output's manifest: if committed, SUCCEEDED cached=true, and Spark never starts;</li>
 *   <li>the input manifest (MISSING_INPUT when absent), every file it lists under its own folder (INVALID_DATA
 *       otherwise: another tenant's key or a glob is never read), and params against its columns;</li>
 *   <li>Spark writes into the attempt prefix, then the manifest is written last (quarantine first, then the
 *       output), and a committed manifest is never overwritten.</li>
 * </ol>
 * The exit code agrees with the last report ({@link ExitCodes}).
 */
public final class JobRunner {
    public static final String PRODUCER = "snapflow-spark-jobs";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROGRESS_PERIOD_MILLIS = 1_000;

    private final Map<String, String> env;
    private final SparkRuntime sparkRuntime;
    private final Clock clock;
    private final HttpStatusReporter.RetryPolicy retryPolicy;
    private final PrintStream out;
    private final PrintStream err;
    private final ActionCatalog catalog = new ActionCatalog();
    private final ParamsValidator validator = new ParamsValidator(catalog.names());
    private final SecureRandom random = new SecureRandom();
    /** The running Spark session, for a stop word from callback to cancel its work. */
    private final AtomicReference<SparkSession> activeSpark = new AtomicReference<>();

    public JobRunner(Map<String, String> env, SparkRuntime sparkRuntime, Clock clock,
                     HttpStatusReporter.RetryPolicy retryPolicy, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.sparkRuntime = sparkRuntime;
        this.clock = clock;
        this.retryPolicy = retryPolicy;
        this.out = out;
        this.err = err;
    }

    public JobRunner(Map<String, String> env, SparkRuntime sparkRuntime, Clock clock, HttpStatusReporter.RetryPolicy retryPolicy) {
        this(env, sparkRuntime, clock, retryPolicy, System.out, System.err);
    }

    public int run(List<String> argv) {
        if (JobCommandLine.wantsHelp(argv)) {
            out.print(JobCommandLine.usage());
            return ExitCodes.SUCCEEDED;
        }
        JobCommandLine commandLine;
        try {
            commandLine = JobCommandLine.parse(argv, env);
        } catch (UsageException e) {
            err.println(JobCommandLine.PROGRAM + ": " + e.getMessage() + " (see --help)");
            return ExitCodes.USAGE;
        }
        JobArguments args = commandLine.arguments();
        Instant started = clock.instant();
        try (HttpStatusReporter reporter = new HttpStatusReporter(commandLine.callbackUrl(), commandLine.token(),
                commandLine.traceparent(), args.jobId(), args.attempt(), clock, retryPolicy);
             S3ManifestStore store = new S3ManifestStore(commandLine.s3().newClient())) {
            reporter.onStopWord(this::stopSpark);
            try {
                Outcome outcome = execute(commandLine, reporter, store, started);
                boolean delivered = reporter.succeeded(outcome.manifest().toString(), outcome.cached(), outcome.metrics());
                err.println(JobCommandLine.PROGRAM + ": SUCCEEDED" + (outcome.cached() ? " (cached)" : "") + " "
                        + outcome.manifest() + (delivered ? "" : " [callback not reached]"));
                return ExitCodes.SUCCEEDED;
            } catch (Throwable thrown) {
                if (reporter.toldToStop()) {
                    // Cancelled or superseded: the control plane decided this attempt's end; a report would be refused.
                    err.println(JobCommandLine.PROGRAM + ": STOPPED: callback says this attempt is over");
                    return ExitCodes.STOPPED;
                }
                JobFailure failure = ErrorClassifier.classify(thrown);
                boolean delivered = reporter.failed(failure.errorClass(), failure.getMessage());
                err.println(JobCommandLine.PROGRAM + ": FAILED " + failure.errorClass() + ": " + failure.getMessage()
                        + (delivered ? "" : " [callback not reached]"));
                if (failure.errorClass() == ErrorClass.INTERNAL || failure.errorClass() == ErrorClass.TRANSIENT) {
                    thrown.printStackTrace(err);
                }
                return ExitCodes.forFailure(failure.errorClass());
            }
        }
    }

    /** Callback said the attempt is over: stopping the SparkContext fails its jobs at once, and run() exits STOPPED. */
    private void stopSpark() {
        SparkSession spark = activeSpark.get();
        if (spark != null) {
            spark.sparkContext().stop();
        }
    }

    private record Outcome(S3Uri manifest, boolean cached, Map<String, Number> metrics) {
    }

    private Outcome execute(JobCommandLine commandLine, StatusReporter reporter, ManifestStore store, Instant started) {
        JobArguments args = commandLine.arguments();
        JobAction action = catalog.find(args.action()).orElseThrow(() -> new JobFailure(ErrorClass.INVALID_PARAMS,
                "unknown action '" + args.action() + "'; known: " + String.join(", ", catalog.names())));
        JsonNode params = validator.validate(action.name(), args.paramsJson());

        SnapshotRef ref = new SnapshotRef(args.tenant(), args.entity(), args.dataVersion());
        S3Uri inputUri = S3Uri.parse("--input-manifest", args.inputManifest());
        S3Uri outputPrefix = S3Uri.parse("--output-prefix", args.outputPrefix());
        Tier inputTier = inputTier(ref, inputUri, action);
        Tier outputTier = action.outputTier(inputTier);
        String outputId = OutputId.derive(action.name(), args.paramsJson(), JobVersion.current(), inputUri.key());
        String expectedPrefix = StorageLayout.outputPrefix(ref, outputTier, outputId);
        if (!outputPrefix.key().equals(expectedPrefix)) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "--output-prefix is " + outputPrefix + " but these arguments "
                    + "derive s3://" + outputPrefix.bucket() + "/" + expectedPrefix + " (job version " + JobVersion.current() + ")");
        }
        String attemptId = args.jobId().value() + "-" + HexFormat.of().formatHex(random.generateSeed(4));
        OutputLocation output = new OutputLocation(outputPrefix.bucket(), ref, outputTier, outputId, attemptId);

        Optional<Manifest> committed = store.read(output.manifest());
        if (committed.isPresent()) {
            Map<String, Number> metrics = new LinkedHashMap<>(committed.get().metrics());
            metrics.put("durationMs", Duration.between(started, clock.instant()).toMillis());
            return new Outcome(output.manifest(), true, metrics);
        }

        Manifest input = store.read(inputUri).orElseThrow(() -> new JobFailure(ErrorClass.MISSING_INPUT,
                "no committed manifest at " + inputUri + " (--input-manifest)"));
        if (!input.snapshotRef().equals(ref)) {
            throw new JobFailure(ErrorClass.INVALID_DATA, inputUri + " describes " + input.snapshotRef()
                    + ", not the requested " + ref);
        }
        requireContained(inputUri, input);
        action.checkAgainstInput(params, input);

        reporter.running(new JobStatusReport.Progress(0, 0, 0, 0));
        S3Uri eventLogDir = new S3Uri(outputPrefix.bucket(),
                StorageLayout.sparkEventLogPrefix(args.tenant(), args.jobId().processId(), args.step(), args.attempt()));
        store.createFolder(eventLogDir); // Spark refuses an event log folder that does not exist
        SparkSession spark = sparkRuntime.start(commandLine.s3(), "snapflow-" + action.name() + "-" + args.jobId(),
                inputUri.bucket(), eventLogDir);
        activeSpark.set(spark);
        if (reporter instanceof HttpStatusReporter http && http.toldToStop()) {
            stopSpark(); // the word came before Spark ran
        }
        ActionResult result;
        try (ProgressListener progress = new ProgressListener(reporter, PROGRESS_PERIOD_MILLIS)) {
            spark.sparkContext().addSparkListener(progress);
            try {
                OutputWriter writer = new OutputWriter(store, spark.sparkContext().hadoopConfiguration());
                result = action.run(new ActionContext(spark, args, params, input, inputUri.bucket(), output, writer, started));
            } finally {
                spark.sparkContext().removeSparkListener(progress);
            }
        } finally {
            activeSpark.set(null);
            sparkRuntime.stop(spark);
        }
        return commit(args, action, params, inputUri, result, started, store);
    }

    /** Data isolation: every file the input manifest lists lies under its own folder ({@link ManifestFiles}). */
    private static void requireContained(S3Uri inputUri, Manifest input) {
        try {
            ManifestFiles.requireContained(inputUri.key(), input);
        } catch (UnsafeManifestException e) {
            throw new JobFailure(ErrorClass.INVALID_DATA, "the input manifest " + inputUri + " is refused, nothing was read: "
                    + e.getMessage());
        }
    }

    private Tier inputTier(SnapshotRef ref, S3Uri inputUri, JobAction action) {
        String versionPrefix = StorageLayout.versionPrefix(ref);
        if (!inputUri.key().startsWith(versionPrefix) || !inputUri.key().endsWith("/" + StorageLayout.MANIFEST_FILE)) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "--input-manifest must be a " + StorageLayout.MANIFEST_FILE
                    + " under " + versionPrefix + ", was " + inputUri);
        }
        String rest = inputUri.key().substring(versionPrefix.length());
        Tier tier;
        try {
            tier = Tier.fromPathSegment(rest.substring(0, Math.max(0, rest.indexOf('/'))));
        } catch (IllegalArgumentException e) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, "--input-manifest " + inputUri + ": " + e.getMessage());
        }
        if (!action.inputTiers().contains(tier)) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, action.name() + " reads " + action.inputTiers()
                    + " input, not " + tier + " (" + inputUri + ")");
        }
        return tier;
    }

    private Outcome commit(JobArguments args, JobAction action, JsonNode params, S3Uri inputUri, ActionResult result,
                           Instant started, ManifestStore store) {
        @SuppressWarnings("unchecked")
        Map<String, Object> paramsMap = JSON.convertValue(params, Map.class);
        Manifest.Producer producer = new Manifest.Producer(PRODUCER, JobVersion.current(), args.processId(),
                args.step(), args.attempt(), action.name(), paramsMap);
        WrittenOutput output = result.output();
        Manifest.Rejected rejected = null;
        long rowsRejected = 0;
        long bytesOut = output.bytes();
        if (result.quarantine() != null) {
            WrittenOutput quarantine = result.quarantine();
            Manifest quarantineManifest = manifest(args, quarantine, producer, inputUri, Map.of("rowsOut", quarantine.rows()),
                    List.of(), null);
            Manifest committedQuarantine = store.commitIfAbsent(quarantine.location().manifest(), quarantineManifest);
            rowsRejected = committedQuarantine.rowCount() == null ? 0 : committedQuarantine.rowCount();
            rejected = new Manifest.Rejected(quarantine.location().manifest().key(), rowsRejected);
            bytesOut += quarantine.bytes();
        }
        Map<String, Number> metrics = new LinkedHashMap<>();
        metrics.put("rowsIn", result.rowsIn());
        metrics.put("rowsOut", output.rows());
        metrics.put("rowsRejected", rowsRejected);
        metrics.put("bytesOut", bytesOut);
        metrics.put("durationMs", Duration.between(started, clock.instant()).toMillis());
        metrics.putAll(result.extraMetrics());
        Manifest manifest = manifest(args, output, producer, inputUri, metrics, result.quality(), rejected);
        Manifest committed = store.commitIfAbsent(output.location().manifest(), manifest);
        // Another attempt of the same output may have committed first: its manifest is the output now.
        return new Outcome(output.location().manifest(), false, committed == manifest ? metrics : committed.metrics());
    }

    private Manifest manifest(JobArguments args, WrittenOutput written, Manifest.Producer producer, S3Uri inputUri,
                              Map<String, Number> metrics, List<Manifest.QualityResult> quality, Manifest.Rejected rejected) {
        OutputLocation location = written.location();
        return new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_OUTPUT, args.tenant(), args.entity(),
                args.dataVersion(), location.tier().pathSegment(), location.outputId(), "parquet", written.files(),
                written.rows(), written.bytes(), written.schema(), producer, clock.instant(), List.of(inputUri.key()),
                metrics, quality, rejected);
    }
}
