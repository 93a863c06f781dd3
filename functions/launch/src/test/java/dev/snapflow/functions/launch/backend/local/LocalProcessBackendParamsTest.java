package dev.snapflow.functions.launch.backend.local;

import dev.snapflow.functions.launch.backend.JobLaunch;
import dev.snapflow.functions.launch.backend.JobProfile;
import dev.snapflow.functions.launch.backend.LaunchOutcome;
import dev.snapflow.functions.launch.backend.ScriptedJob;
import dev.snapflow.functions.launch.backend.TestJobs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The local backend hands params to the job JVM as one argument each, with no shell to interpret them. */
class LocalProcessBackendParamsTest {
    @TempDir
    Path workDir;

    private LocalProcessBackend backend;

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void paramsFullOfShellAndKubernetesSyntaxReachTheJobUnchanged() throws IOException {
        backend = new LocalProcessBackend(new LocalBackendSettings(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), workDir, 1, List.of(), Map.of(), Duration.ofSeconds(2)), report -> {
        });
        String params = "{\"behaviour\":\"print\",\"pattern\":\"^\\\\$[0-9]+$$|$(HOME)|${HOME}|`id`|$(AWS_SECRET_ACCESS_KEY)"
                + "'; echo pwned \\\" * ?\"}";
        JobLaunch launch = new JobLaunch(TestJobs.arguments(UUID.randomUUID().toString(), 1, 1, params),
                new JobProfile("ghcr.io/snapflow/spark-jobs:test", ScriptedJob.class.getName(), List.of(), TestJobs.SMALL,
                        Duration.ofMinutes(5)), "token");

        assertThat(backend.launch(launch)).isInstanceOf(LaunchOutcome.Launched.class);

        Path jobDir = workDir.resolve(launch.jobId().value());
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(jobDir.resolve("exit-code")));
        String log = Files.readString(jobDir.resolve("job.log"));
        assertThat(log).contains("args=" + String.join(" ", launch.arguments().toArgs()) + "\n")
                .contains(params).doesNotContain("pwned\n");
    }
}
