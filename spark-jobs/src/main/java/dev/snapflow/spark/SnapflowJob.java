package dev.snapflow.spark;

import dev.snapflow.spark.logs.DriverLogShipping;

import java.time.Clock;
import java.util.Arrays;

/** The job's entry point: {@code snapflow-job --tenant ... --callback-url ...} (see {@link JobCommandLine#usage()}). */
public final class SnapflowJob {
    private SnapflowJob() {
    }

    public static void main(String[] argv) throws Exception {
        // First, before anything logs: the driver's output goes to object storage as well as to the console.
        AutoCloseable driverLog = DriverLogShipping.start(Arrays.asList(argv), System.getenv());
        int exitCode = new JobRunner(System.getenv(), new SparkSessionFactory(), Clock.systemUTC(),
                HttpStatusReporter.RetryPolicy.DEFAULT).run(Arrays.asList(argv));
        driverLog.close();
        System.exit(exitCode);
    }
}
