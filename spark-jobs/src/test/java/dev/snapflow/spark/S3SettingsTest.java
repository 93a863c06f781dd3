package dev.snapflow.spark;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {

    @Test
    void anEndpointMeansPathStyleAndItsSchemeDecidesTls() {
        S3Settings settings = S3Settings.fromEnvironment(Map.of(S3Settings.ENDPOINT_ENV, "http://127.0.0.1:9000",
                S3Settings.ACCESS_KEY_ENV, "k", S3Settings.SECRET_KEY_ENV, "very-secret-value"));
        assertThat(settings.pathStyle()).isTrue();
        assertThat(settings.region()).isEqualTo("us-east-1");
        assertThat(settings.hadoopOptions()).containsEntry("fs.s3a.endpoint", "http://127.0.0.1:9000")
                .containsEntry("fs.s3a.connection.ssl.enabled", "false")
                .containsEntry("fs.s3a.path.style.access", "true")
                .containsEntry("fs.s3a.access.key", "k");
        assertThat(S3Settings.fromEnvironment(settings.toEnvironment())).isEqualTo(settings);
        assertThat(settings.toString()).doesNotContain("very-secret-value");
    }

    @Test
    void withoutEndpointOrKeysTheDefaultAwsChainIsUsed() {
        S3Settings settings = S3Settings.fromEnvironment(Map.of(S3Settings.REGION_ENV, "eu-central-1"));
        assertThat(settings.endpoint()).isNull();
        assertThat(settings.pathStyle()).isFalse();
        assertThat(settings.hadoopOptions()).doesNotContainKeys("fs.s3a.endpoint", "fs.s3a.access.key",
                "fs.s3a.aws.credentials.provider");
    }

    @Test
    void badValuesAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> S3Settings.fromEnvironment(Map.of(S3Settings.ENDPOINT_ENV, "ftp://x")))
                .hasMessageContaining(S3Settings.ENDPOINT_ENV);
        assertThatThrownBy(() -> S3Settings.fromEnvironment(Map.of(S3Settings.ACCESS_KEY_ENV, "k")))
                .hasMessageContaining(S3Settings.SECRET_KEY_ENV);
        assertThatThrownBy(() -> S3Settings.fromEnvironment(Map.of(S3Settings.PATH_STYLE_ENV, "yes")))
                .hasMessageContaining(S3Settings.PATH_STYLE_ENV);
    }
}
