package dev.snapflow.functions.validate;

import dev.snapflow.functions.validate.storage.S3Configuration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Configuration records may reach a log line or an exception message: their secrets never do. */
class ConfigurationToStringTest {
    private static final String SECRET = "s3cr3t-value-that-must-not-show-0123456789";

    @Test
    void validateConfigurationMasksThePepperAndTheAdminToken() {
        String text = new ValidateConfiguration(SECRET + "-pepper", SECRET + "-admin", 4096).toString();

        assertThat(text).doesNotContain(SECRET).contains("maxRequestBytes=4096").contains("adminToken=****");
    }

    @Test
    void s3ConfigurationMasksTheSecretKey() {
        String text = new S3Configuration("http://127.0.0.1:9000", "us-east-1", "snapflow", "access", SECRET).toString();

        assertThat(text).doesNotContain(SECRET).contains("bucket=snapflow").contains("secretKey=****");
    }
}
