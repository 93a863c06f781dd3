package dev.snapflow.functions.launch.config;

import dev.snapflow.functions.launch.backend.kubernetes.KubernetesSettings;
import dev.snapflow.functions.launch.backend.local.LocalBackendSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Launch's settings may reach a log line or an exception message: the S3 credentials never do. */
class ConfigurationToStringTest {
    private static final String SECRET = "s3cr3t-value-that-must-not-show-0123456789";
    private static final JobStorageConfiguration STORAGE = new JobStorageConfiguration("http://127.0.0.1:9000", "us-east-1",
            "access-id", SECRET);

    @Test
    void jobStorageConfigurationMasksTheSecretKey() {
        assertThat(STORAGE.toString()).doesNotContain(SECRET).contains("region=us-east-1").contains("secretKey=****");
    }

    @Test
    void kubernetesSettingsMaskTheJobSecrets() {
        String text = new KubernetesSettings("snapflow-jobs", "spark", "local:///opt/job.jar", "/opt/spark/bin/spark-submit",
                Duration.ofMinutes(10), "IfNotPresent", STORAGE.plainEnvironment(), STORAGE.secretEnvironment()).toString();

        assertThat(text).doesNotContain(SECRET).contains("snapflow-jobs").contains("AWS_SECRET_ACCESS_KEY=****");
    }

    @Test
    void localBackendSettingsMaskSecretsInTheJobsEnvironment() {
        String text = new LocalBackendSettings(Path.of("/usr/bin/java"), "job.jar", Path.of("/tmp/jobs"), 2, List.of(),
                Map.of("AWS_SECRET_ACCESS_KEY", SECRET, "SNAPFLOW_S3_REGION", "us-east-1"), Duration.ofSeconds(5)).toString();

        assertThat(text).doesNotContain(SECRET).contains("SNAPFLOW_S3_REGION=us-east-1").contains("AWS_SECRET_ACCESS_KEY=****");
    }
}
