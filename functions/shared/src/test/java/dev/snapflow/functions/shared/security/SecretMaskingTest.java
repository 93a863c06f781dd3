package dev.snapflow.functions.shared.security;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SecretMaskingTest {
    private static final String SECRET = "s3cr3t-value-that-must-not-show-0123456789";

    record Sample(String name, String apiToken, Map<String, String> environment, Map<String, String> jobSecrets) {
        @Override
        public String toString() {
            return SecretMasking.toString(this);
        }
    }

    @Test
    void secretComponentsAndSecretMapEntriesAreMaskedAndTheRestIsShown() {
        String text = new Sample("visible-name", SECRET, Map.of("AWS_SECRET_ACCESS_KEY", SECRET, "SNAPFLOW_S3_REGION", "eu-1"),
                Map.of("ANY", SECRET)).toString();

        assertThat(text).doesNotContain(SECRET).contains("visible-name").contains("SNAPFLOW_S3_REGION=eu-1")
                .contains("apiToken=****").contains("AWS_SECRET_ACCESS_KEY=****").contains("ANY=****");
    }

    @Test
    void callbackKeyConfigurationDoesNotPrintItsKey() {
        assertThat(new JobTokensFactory.CallbackKeyConfiguration(SECRET).toString()).doesNotContain(SECRET).contains("hmacKey=****");
    }

    @Test
    void keyHoldersDoNotPrintTheirKeys() {
        assertThat(JobTokens.fromSecret(SECRET).toString()).doesNotContain(SECRET);
        assertThat(new ApiKeys(SECRET).toString()).doesNotContain(SECRET);
    }
}
