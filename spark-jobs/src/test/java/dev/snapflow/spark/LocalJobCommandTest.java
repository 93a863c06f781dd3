package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobArguments;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LocalJobCommandTest {

    @Test
    void theTestJvmRunsSparkWithExactlyTheOptionsTheLocalCommandUses() {
        // The pom's spark.jvm.options (surefire argLine) and LocalJobCommand.JVM_OPTIONS must not drift apart.
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).containsAll(LocalJobCommand.JVM_OPTIONS);
    }

    @Test
    void commandPutsTheJobJarBeforeSparkAndPassesArgumentsButNeverTheToken() {
        JobArguments arguments = new JobArguments("acme", "orders", "v1", "ingest", "{}",
                "s3://bucket/acme/orders/v1/raw/_manifest.json", "s3://bucket/acme/orders/v1/bronze/ingest-0123456789abcdef/",
                "7d3c9a61-0f5e-4c1a-9d5e-2b8e8f0f4a11", 1, 1, "http://127.0.0.1:8080/v1/jobs/x/status");
        LocalJobCommand command = new LocalJobCommand(Path.of("/jdk/bin/java"), Path.of("/jobs/spark-jobs.jar"),
                List.of(Path.of("/spark/a.jar"), Path.of("/spark/b.jar")), "2g");

        List<String> line = command.command(arguments);

        assertThat(line.get(0)).isEqualTo("/jdk/bin/java");
        assertThat(line).contains("-Xmx2g", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", LocalJobCommand.MAIN_CLASS);
        assertThat(line.get(line.indexOf("-cp") + 1)).isEqualTo("/jobs/spark-jobs.jar:/spark/a.jar:/spark/b.jar");
        assertThat(line.subList(line.indexOf(LocalJobCommand.MAIN_CLASS) + 1, line.size())).isEqualTo(arguments.toArgs());
        var env = LocalJobCommand.environment("secret",
                new S3Settings(URI.create("http://127.0.0.1:9000"), "us-east-1", "k", "s", true).toEnvironment());
        assertThat(env).containsEntry("SPARK_LOCAL_IP", "127.0.0.1").containsEntry(JobArguments.CALLBACK_TOKEN_ENV, "secret")
                .containsEntry(S3Settings.ENDPOINT_ENV, "http://127.0.0.1:9000");
        assertThat(line).doesNotContain("secret");
    }
}
