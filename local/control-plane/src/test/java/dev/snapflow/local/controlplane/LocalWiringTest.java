package dev.snapflow.local.controlplane;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LocalWiringTest {
    private static final String SECRET = "s3cr3t-value-that-must-not-show-0123456789";

    @Test
    void toStringShowsWhereThingsAreAndNoSecret() {
        String text = new LocalWiring("jdbc:postgresql://127.0.0.1:5433/snapflow", "snapflow", SECRET + "db", "127.0.0.1:9092",
                "http://127.0.0.1:9000", "us-east-1", "snapflow", "access", SECRET + "s3", SECRET + "admin", SECRET + "hmac",
                SECRET + "pepper", "job.jar", Path.of("/tmp/jobs")).toString();

        assertThat(text).doesNotContain(SECRET).contains("127.0.0.1:9092").contains("jdbc:postgresql://127.0.0.1:5433/snapflow");
    }
}
