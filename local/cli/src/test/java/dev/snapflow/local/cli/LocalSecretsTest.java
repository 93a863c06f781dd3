package dev.snapflow.local.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalSecretsTest {
    @Test
    void toStringShowsNoSecret() {
        String secret = "s3cr3t-value-that-must-not-show-0123456789";

        assertThat(new LocalSecrets(secret + "a", secret + "b", secret + "c").toString()).doesNotContain(secret);
    }
}
