package dev.snapflow.functions.launch.config;

import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Bad settings stop launch at startup with a message naming the environment variable to fix. */
class LaunchConfigurationTest {
    @TempDir
    Path workDir;

    private Map<String, Object> validLocalSettings() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("snapflow.events.transport", "http");
        properties.put("snapflow.events.sink", "http://127.0.0.1:9/");
        // On the HTTP transport every delivery to POST / is checked against an OIDC issuer (not contacted at startup).
        properties.put("snapflow.oidc.issuer", "https://issuer.invalid");
        properties.put("snapflow.oidc.audience", "snapflow-launch");
        properties.put("snapflow.oidc.allowed-senders", "system:serviceaccount:snapflow:launch-test");
        properties.put("snapflow.callback.hmac-key", "launch-test-key-0123456789-0123456789-abcdef");
        properties.put("snapflow.launch.backend", "local");
        properties.put("snapflow.launch.local.classpath", System.getProperty("java.class.path"));
        properties.put("snapflow.launch.local.work-dir", workDir.toString());
        return properties;
    }

    private static String startupFailure(Map<String, Object> properties) {
        Throwable failure = catchThrowable(() -> ApplicationContext.run(properties).close());
        assertThat(failure).as("startup should fail").isNotNull();
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    @Test
    void validLocalSettingsStart() {
        try (ApplicationContext context = ApplicationContext.run(validLocalSettings())) {
            assertThat(context.getBean(LaunchConfiguration.class).backend()).isEqualTo(LaunchConfiguration.Backend.LOCAL);
        }
    }

    @Test
    void missingJobClassPathNamesItsVariable() {
        Map<String, Object> properties = validLocalSettings();
        properties.put("snapflow.launch.local.classpath", "");

        assertThat(startupFailure(properties)).contains("SNAPFLOW_LOCAL_JOB_CLASSPATH");
    }

    @Test
    void missingWorkDirNamesItsVariable() {
        Map<String, Object> properties = validLocalSettings();
        properties.put("snapflow.launch.local.work-dir", "");

        assertThat(startupFailure(properties)).contains("SNAPFLOW_LOCAL_WORK_DIR");
    }

    @Test
    void shortCallbackKeyNamesItsVariable() {
        Map<String, Object> properties = validLocalSettings();
        properties.put("snapflow.callback.hmac-key", "too-short");

        assertThat(startupFailure(properties)).contains("SNAPFLOW_CALLBACK_HMAC_KEY", "at least 32");
    }

    @Test
    void unknownBackendIsRefused() {
        Map<String, Object> properties = validLocalSettings();
        properties.put("snapflow.launch.backend", "mesos");

        assertThat(startupFailure(properties)).contains("mesos");
    }

    @Test
    void zeroConcurrentJobsNamesItsVariable() {
        Map<String, Object> properties = validLocalSettings();
        properties.put("snapflow.launch.local.max-concurrent-jobs", 0);

        assertThat(startupFailure(properties)).contains("SNAPFLOW_LOCAL_MAX_JOBS");
    }

    @Test
    void halfGivenStorageCredentialsAreRefused() {
        Map<String, Object> properties = validLocalSettings();
        properties.put("snapflow.launch.s3.access-key", "snapflow");

        assertThat(startupFailure(properties)).contains("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void badImagePullPolicyNamesItsVariable() {
        Map<String, Object> properties = validLocalSettings();
        properties.put("snapflow.launch.backend", "kubernetes");
        properties.put("snapflow.launch.kubernetes.image-pull-policy", "Sometimes");

        assertThat(startupFailure(properties)).contains("SNAPFLOW_K8S_IMAGE_PULL_POLICY");
    }
}
