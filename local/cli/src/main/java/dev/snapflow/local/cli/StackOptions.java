package dev.snapflow.local.cli;

import dev.snapflow.local.stack.LocalStackOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** The flags shared by the commands that start a stack: where it keeps its data and which ports it uses. */
final class StackOptions {
    @Option(names = "--work-dir", defaultValue = "${env:SNAPFLOW_HOME:-.snapflow}",
            description = "Where the stack keeps data and logs (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka broker port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--s3-port", defaultValue = "9000", description = "S3 API port (default: ${DEFAULT-VALUE}).")
    int s3Port;

    @Option(names = "--postgres-port", defaultValue = "5433",
            description = "Port of the embedded PostgreSQL; ignored when SNAPFLOW_DB_URL names a server (default: ${DEFAULT-VALUE}).")
    int postgresPort;

    @Option(names = "--validate-port", defaultValue = "8080", description = "validate's port, the public API (default: ${DEFAULT-VALUE}).")
    int validatePort;

    @Option(names = "--enqueue-port", defaultValue = "8081", description = "enqueue's port (default: ${DEFAULT-VALUE}).")
    int enqueuePort;

    @Option(names = "--launch-port", defaultValue = "8082", description = "launch's port (default: ${DEFAULT-VALUE}).")
    int launchPort;

    @Option(names = "--callback-port", defaultValue = "8083", description = "callback's port (default: ${DEFAULT-VALUE}).")
    int callbackPort;

    @Option(names = "--job-log-retention-days", defaultValue = "${env:SNAPFLOW_JOB_LOG_RETENTION_DAYS:-7}",
            description = "Delete jobs' logs and Spark event logs ({tenant}/_jobs/) older than this many days; 0 keeps them (default: ${DEFAULT-VALUE}).")
    int jobLogRetentionDays;

    /** The functions' ports by name; 0 picks a free one. */
    Map<String, Integer> functionPorts() {
        return Map.of("validate", validatePort, "enqueue", enqueuePort, "launch", launchPort, "callback", callbackPort);
    }

    java.time.Duration jobLogRetention() {
        if (jobLogRetentionDays < 0) {
            throw new CliException("--job-log-retention-days must be 0 or more, was " + jobLogRetentionDays);
        }
        return java.time.Duration.ofDays(jobLogRetentionDays);
    }

    Path absoluteWorkDir() {
        return workDir.toAbsolutePath().normalize();
    }

    LocalStackOptions toStackOptions() {
        return LocalStackOptions.defaults(workDir.toAbsolutePath().normalize())
                .withKafkaPort(kafkaPort)
                .withS3Port(s3Port)
                .withPostgresPort(postgresPort);
    }
}
