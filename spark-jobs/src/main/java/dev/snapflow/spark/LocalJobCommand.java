package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.SparkJvmOptions;

import java.io.IOException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to run the job as a local child JVM (the local backend, the demo, the crash test): the same class
 * path a Spark image gives it, i.e. the shaded job jar followed by Spark's own jars
 * ({@code spark-jobs/target/spark-classpath.txt}, written by the build), Spark's JVM options, and the
 * job's environment. The result is a plain argument list for {@link ProcessBuilder}. It uses nothing but the
 * JDK and the contracts, so the control plane can use it without the job's dependencies.
 *
 * <pre>
 * SPARK_LOCAL_IP=127.0.0.1 SNAPFLOW_CALLBACK_TOKEN=... SNAPFLOW_S3_ENDPOINT=http://127.0.0.1:9000 \
 * AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
 *   java -Xmx2g {JVM_OPTIONS} -cp spark-jobs.jar:{spark-classpath.txt} dev.snapflow.spark.SnapflowJob {JobArguments}
 * </pre>
 *
 * @param java           the java executable (JDK 17 or newer)
 * @param jobJar         the shaded job jar ({@code spark-jobs/target/spark-jobs-<version>.jar})
 * @param sparkClasspath Spark and its dependencies (the entries of {@code spark-classpath.txt})
 * @param maxHeap        the driver's heap, e.g. {@code 2g}
 */
public record LocalJobCommand(Path java, Path jobJar, List<Path> sparkClasspath, String maxHeap) {
    public static final String MAIN_CLASS = "dev.snapflow.spark.SnapflowJob";

    /** Spark's JVM options on JDK 17+ (one list, in the contracts). */
    public static final List<String> JVM_OPTIONS = SparkJvmOptions.REQUIRED;

    public LocalJobCommand {
        sparkClasspath = List.copyOf(sparkClasspath);
    }

    /** Reads the class path file the build writes ({@code path.separator}-separated, one line). */
    public static List<Path> readClasspathFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            throw new IOException(file + " is empty: build spark-jobs first (./mvnw -pl spark-jobs -am package)");
        }
        return Arrays.stream(text.split(File.pathSeparator)).map(Path::of).toList();
    }

    /** The command line for one job run. */
    public List<String> command(JobArguments arguments) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("-Xmx" + maxHeap);
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        List<String> entries = new ArrayList<>();
        entries.add(jobJar.toString());
        sparkClasspath.forEach(p -> entries.add(p.toString()));
        command.add(String.join(File.pathSeparator, entries));
        command.add(MAIN_CLASS);
        command.addAll(arguments.toArgs());
        return command;
    }

    /**
     * The environment a child needs besides the inherited one: the loopback driver address, the callback
     * token (never an argument) and the storage settings ({@code SNAPFLOW_S3_ENDPOINT}, {@code SNAPFLOW_S3_REGION},
     * {@code SNAPFLOW_S3_PATH_STYLE}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}; see
     * {@link S3Settings#toEnvironment()}).
     */
    public static Map<String, String> environment(String callbackToken, Map<String, String> storageEnvironment) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put(JobArguments.CALLBACK_TOKEN_ENV, callbackToken);
        env.putAll(storageEnvironment);
        return env;
    }
}
