package dev.snapflow.functions.launch.backend.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the local backend starts child JVMs.
 *
 * @param javaBinary        the {@code java} to run jobs with
 * @param classpath         the jobs' class path; an entry {@code @file} is replaced by the class path written in
 *                          that file (how spark-jobs publishes its dependencies), read at each launch
 * @param workDir           one directory per job under it: the idempotency marker, pid and log
 * @param maxConcurrentJobs how many jobs may run at once on this machine
 * @param jvmFlags          extra JVM flags, before the ones Spark needs
 * @param environment       added to each job's environment (S3 endpoint and credentials)
 * @param killGrace         how long a job gets after SIGTERM before it is killed for good
 */
public record LocalBackendSettings(Path javaBinary, String classpath, Path workDir, int maxConcurrentJobs,
                                   List<String> jvmFlags, Map<String, String> environment, Duration killGrace) {
    public LocalBackendSettings {
        Objects.requireNonNull(javaBinary, "javaBinary");
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalArgumentException("classpath is required");
        }
        Objects.requireNonNull(workDir, "workDir");
        if (maxConcurrentJobs < 1) {
            throw new IllegalArgumentException("maxConcurrentJobs must be at least 1, was " + maxConcurrentJobs);
        }
        jvmFlags = List.copyOf(jvmFlags);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(killGrace, "killGrace");
    }

    /** Secrets print as ****: this record may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return dev.snapflow.functions.shared.security.SecretMasking.toString(this);
    }
}
