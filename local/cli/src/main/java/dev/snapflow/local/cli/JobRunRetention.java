package dev.snapflow.local.cli;

import dev.snapflow.contracts.storage.StorageLayout;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default's retention of job runs' logs: what jobs left under {@code {tenant}/_jobs/} (driver logs,
 * Spark event logs) is deleted once older than the retention, when the stack starts and every hour while it runs.
 * On Kubernetes an S3 lifecycle rule does this instead (docs/deploy.md). Data is never touched: only keys under a
 * tenant's {@code _jobs/} folder are considered.
 */
final class JobRunRetention implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofHours(1);

    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "snapflow-job-log-retention");
        t.setDaemon(true);
        return t;
    });

    /** Starts the sweeps; {@code retention} zero keeps everything (and starts nothing). */
    JobRunRetention(S3Client s3, String bucket, Duration retention) {
        if (!retention.isZero()) {
            ticker.scheduleWithFixedDelay(() -> {
                try {
                    sweep(s3, bucket, retention, Instant.now());
                } catch (RuntimeException e) {
                    // storage briefly away: the next sweep tries again; logs only cost space meanwhile
                }
            }, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Deletes the expired job-run objects of every tenant; returns how many. */
    static int sweep(S3Client s3, String bucket, Duration retention, Instant now) {
        int deleted = 0;
        for (CommonPrefix tenant : s3.listObjectsV2Paginator(b -> b.bucket(bucket).delimiter("/")).commonPrefixes()) {
            String jobs = tenant.prefix() + StorageLayout.JOBS_DIR + "/";
            List<S3Object> objects = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(jobs)).contents().forEach(objects::add);
            for (String key : expired(objects, retention, now)) {
                s3.deleteObject(b -> b.bucket(bucket).key(key));
                deleted++;
            }
        }
        return deleted;
    }

    /** The keys of job-run objects last written longer than {@code retention} before {@code now}. */
    static List<String> expired(List<S3Object> objects, Duration retention, Instant now) {
        Instant cutoff = now.minus(retention);
        return objects.stream()
                .filter(o -> o.key().matches("[^/]+/" + StorageLayout.JOBS_DIR + "/.+"))
                .filter(o -> o.lastModified() != null && o.lastModified().isBefore(cutoff))
                .map(S3Object::key).toList();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
