package dev.snapflow.spark.logs;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.spark.JobCommandLine;
import dev.snapflow.spark.UsageException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The job ships its own driver output to {@link StorageLayout#driverLogKey}, the same way on every backend: stdout
 * and stderr are teed into a {@link BoundedLog} before anything logs (log4j's console appender takes
 * {@code System.err} when it starts), and a {@link DriverLogShipper} uploads it through the job's own S3 access.
 * A JVM that is terminated ships what it has from a shutdown hook.
 */
public final class DriverLogShipping implements AutoCloseable {
    public static final String MAX_BYTES_ENV = "SNAPFLOW_JOB_LOG_MAX_BYTES";
    public static final String INTERVAL_ENV = "SNAPFLOW_JOB_LOG_INTERVAL_SECONDS";
    static final int DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
    static final int DEFAULT_INTERVAL_SECONDS = 5;

    private final DriverLogShipper shipper;

    private DriverLogShipping(DriverLogShipper shipper) {
        this.shipper = shipper;
    }

    /**
     * Starts shipping when the command line names a run (otherwise the job exits 64 before doing anything, and
     * there is nothing worth keeping); the result is closed at the job's end.
     */
    public static AutoCloseable start(List<String> argv, Map<String, String> env) {
        if (JobCommandLine.wantsHelp(argv)) {
            return () -> { };
        }
        JobCommandLine commandLine;
        try {
            commandLine = JobCommandLine.parse(argv, env);
        } catch (UsageException e) {
            return () -> { }; // the job itself says what is wrong
        }
        int maxBytes = setting(env, MAX_BYTES_ENV, DEFAULT_MAX_BYTES);
        Duration interval = Duration.ofSeconds(setting(env, INTERVAL_ENV, DEFAULT_INTERVAL_SECONDS));
        JobArguments args = commandLine.arguments();
        String bucket = S3Uri.parse("--output-prefix", args.outputPrefix()).bucket();
        String key = StorageLayout.driverLogKey(args.tenant(), args.jobId().processId(), args.step(), args.attempt());
        PrintStream realErr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        BoundedLog log = new BoundedLog(maxBytes);
        System.setOut(new PrintStream(new TeeOutputStream(System.out, log), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new TeeOutputStream(System.err, log), true, StandardCharsets.UTF_8));
        // The first line names the run, so even a log cut short says whose it is.
        System.err.println("snapflow-job: " + args.jobId() + " " + args.action() + " " + args.tenant() + "/"
                + args.entity() + "/" + args.dataVersion() + ", driver log shipped to s3://" + bucket + "/" + key);
        S3Client s3 = commandLine.s3().newClient();
        DriverLogShipper shipper = new DriverLogShipper(log, bytes -> s3.putObject(b -> b.bucket(bucket).key(key)
                .contentType("text/plain; charset=utf-8"), RequestBody.fromBytes(bytes)), interval, realErr,
                "s3://" + bucket + "/" + key);
        // The client lives as long as the JVM: the shutdown hook may still need it.
        DriverLogShipping shipping = new DriverLogShipping(shipper);
        Runtime.getRuntime().addShutdownHook(new Thread(shipping::close, "snapflow-driver-log-final"));
        return shipping;
    }

    /** A wrong value is said on stderr and replaced by the default: a log setting never stops a job. */
    static int setting(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the one-line reason
        }
        System.err.println("snapflow-job: " + name + " must be a whole number of 1 or more, was '" + value
                + "'; using " + fallback);
        return fallback;
    }

    @Override
    public synchronized void close() {
        shipper.close();
    }
}
