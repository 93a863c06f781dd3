package dev.snapflow.local.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JobRunRetentionTest {
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private static S3Object object(String key, Duration age) {
        return S3Object.builder().key(key).lastModified(NOW.minus(age)).build();
    }

    @Test
    void onlyJobRunObjectsOlderThanTheRetentionExpire() {
        List<S3Object> objects = List.of(
                object("acme/_jobs/p1/steps/1/attempts/1/driver.log", Duration.ofDays(8)),
                object("acme/_jobs/p1/steps/1/attempts/1/spark-events/local-1.zstd", Duration.ofDays(8)),
                object("acme/_jobs/p2/steps/1/attempts/1/driver.log", Duration.ofDays(6)),
                object("acme/orders/v1/raw/_manifest.json", Duration.ofDays(400)),
                object("acme/orders/_jobs/not-a-job-run", Duration.ofDays(400)));

        assertThat(JobRunRetention.expired(objects, Duration.ofDays(7), NOW)).containsExactly(
                "acme/_jobs/p1/steps/1/attempts/1/driver.log",
                "acme/_jobs/p1/steps/1/attempts/1/spark-events/local-1.zstd");
    }
}
