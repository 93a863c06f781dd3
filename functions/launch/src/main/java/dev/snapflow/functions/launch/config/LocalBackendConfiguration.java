package dev.snapflow.functions.launch.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import java.time.Duration;
import java.util.List;

/**
 * The local backend ({@code snapflow.launch.local}), used when SNAPFLOW_LAUNCH_BACKEND=local.
 *
 * @param java              env SNAPFLOW_LOCAL_JAVA: the java that runs jobs; empty: the one running launch
 * @param classpath         env SNAPFLOW_LOCAL_JOB_CLASSPATH: the jobs' class path; an entry {@code @file} stands
 *                          for the class path in that file, e.g.
 *                          {@code spark-jobs/target/spark-jobs-0.1.0-SNAPSHOT.jar:@spark-jobs/target/spark-classpath.txt}
 * @param workDir           env SNAPFLOW_LOCAL_WORK_DIR: one directory per job (marker, pid, log)
 * @param maxConcurrentJobs env SNAPFLOW_LOCAL_MAX_JOBS: jobs running at once on this machine
 * @param jvmFlags          extra JVM flags of every job
 * @param killGrace         time between SIGTERM and SIGKILL when a job is stopped
 */
@ConfigurationProperties("snapflow.launch.local")
public record LocalBackendConfiguration(
        @Nullable String java,
        @NotBlank(message = "snapflow.launch.local.classpath (env SNAPFLOW_LOCAL_JOB_CLASSPATH) must be set when the backend is local: the job jar and @spark-jobs/target/spark-classpath.txt")
        String classpath,
        @NotBlank(message = "snapflow.launch.local.work-dir (env SNAPFLOW_LOCAL_WORK_DIR) must be set when the backend is local")
        String workDir,
        @Min(value = 1, message = "snapflow.launch.local.max-concurrent-jobs (env SNAPFLOW_LOCAL_MAX_JOBS) must be at least 1")
        int maxConcurrentJobs,
        @Nullable List<String> jvmFlags,
        @NotNull Duration killGrace) {
}
