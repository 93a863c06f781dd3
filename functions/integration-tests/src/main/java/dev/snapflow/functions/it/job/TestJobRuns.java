package dev.snapflow.functions.it.job;

import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the end-to-end tests and the benchmarks need to run {@link TestJob} through the real control plane and to
 * check it afterwards: its action catalog ({@code it-action-catalog.yml}, shipped beside it) and the count of its
 * starts per job, read from the marker object each start leaves under {@value #MARKER_PREFIX}.
 */
public final class TestJobRuns {
    /** Each start of a job leaves {@code it-runs/{jobId}/{uuid}} in the bucket of its output. */
    public static final String MARKER_PREFIX = "it-runs/";
    private static final String CATALOG = "it-action-catalog.yml";

    private TestJobRuns() {
    }

    /**
     * Writes the action catalog of TestJob (actions {@code it-first}, {@code it-second}, pipeline
     * {@code it-two-steps}) into {@code dir}; returns the file, for {@code SNAPFLOW_ACTION_CATALOG}.
     */
    public static Path writeCatalog(Path dir) {
        try (InputStream catalog = TestJobRuns.class.getResourceAsStream("/" + CATALOG)) {
            if (catalog == null) {
                throw new IllegalStateException(CATALOG + " is not on the class path beside TestJob");
            }
            Files.createDirectories(dir);
            Path file = dir.resolve(CATALOG);
            Files.copy(catalog, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * TestJob's class path out of a test JVM's {@code java.class.path}: everything but test classes and the test
     * tooling (the job JVM needs this module, the contracts and the S3 client).
     */
    public static String classpathFrom(String testClassPath) {
        return Arrays.stream(testClassPath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank() && !entry.endsWith("test-classes"))
                .filter(entry -> !Path.of(entry).getFileName().toString()
                        .matches("(surefire|junit|opentest4j|apiguardian|assertj|awaitility|duckdb|local-stack|kafka).*"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Starts per job id, over every job that has started at least once. */
    public static Map<String, Integer> startsPerJob(S3Client s3, String bucket) {
        Map<String, Integer> starts = new HashMap<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(MARKER_PREFIX)).contents().forEach(object -> {
            String[] parts = object.key().split("/");
            if (parts.length >= 3) {
                starts.merge(parts[1], 1, Integer::sum);
            }
        });
        return starts;
    }

    /** How many times one job was started. */
    public static int starts(S3Client s3, String bucket, String jobId) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(MARKER_PREFIX + jobId + "/")).contents().size();
    }
}
