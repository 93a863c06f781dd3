package dev.snapflow.spark;

import java.time.Clock;
import java.util.Arrays;

/** The job's entry point: {@code snapflow-job --tenant ... --callback-url ...} (see {@link JobCommandLine#usage()}). */
public final class SnapflowJob {
    private SnapflowJob() {
    }

    public static void main(String[] argv) {
        int exitCode = new JobRunner(System.getenv(), new SparkSessionFactory(), Clock.systemUTC(),
                HttpStatusReporter.RetryPolicy.DEFAULT).run(Arrays.asList(argv));
        System.exit(exitCode);
    }
}
