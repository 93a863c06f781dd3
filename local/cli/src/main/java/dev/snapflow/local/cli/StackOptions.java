package dev.snapflow.local.cli;

import dev.snapflow.local.stack.LocalStackOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

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

    LocalStackOptions toStackOptions() {
        return LocalStackOptions.defaults(workDir.toAbsolutePath().normalize())
                .withKafkaPort(kafkaPort)
                .withS3Port(s3Port)
                .withPostgresPort(postgresPort);
    }
}
