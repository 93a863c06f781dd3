package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobArguments;
import dev.snapflow.contracts.jobs.JobStatusReport;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.OutputId;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the real job in-process against real S3 (the local stack's S3Proxy) with one shared Spark session,
 * a real HTTP callback receiver, and the sample-data publisher for inputs. One per test JVM.
 */
final class JobHarness {
    static final String TOKEN = "test-callback-token";
    private static JobHarness shared;

    final S3Target target;
    final S3Client s3;
    final SharedSpark spark = new SharedSpark();
    final CallbackReceiver callbacks;

    private JobHarness(S3Target target) throws IOException {
        this.target = target;
        this.s3 = target.settings().newClient();
        this.callbacks = new CallbackReceiver(TOKEN);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            spark.shutdown();
            callbacks.close();
        }, "job-harness-shutdown"));
    }

    static synchronized JobHarness shared(S3Target target) {
        if (shared == null) {
            try {
                shared = new JobHarness(target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** A fresh data version, so tests never see each other's outputs. */
    static SnapshotRef newRef(String entity) {
        return new SnapshotRef("acme", entity, "v-" + UUID.randomUUID().toString().substring(0, 8));
    }

    PublishedSnapshot publishOrders(SnapshotRef ref, OrdersSpec spec) {
        try {
            return new SnapshotPublisher(s3, target.bucket()).publishGenerated(ref, spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Arguments as the control plane builds them: the output prefix derived from the same contract. */
    JobArguments arguments(SnapshotRef ref, String action, String params, S3Uri input, Tier outputTier, String processId,
                           int attempt) {
        String outputId = OutputId.derive(action, params, JobVersion.current(), input.key());
        String prefix = "s3://" + target.bucket() + "/" + StorageLayout.outputPrefix(ref, outputTier, outputId);
        return new JobArguments(ref.tenant(), ref.entity(), ref.dataVersion(), action, params, input.toString(), prefix,
                processId, 1, attempt, "http://placeholder/");
    }

    JobArguments arguments(SnapshotRef ref, String action, String params, S3Uri input, Tier outputTier) {
        return arguments(ref, action, params, input, outputTier, UUID.randomUUID().toString(), 1);
    }

    /** Runs the job in this JVM with the callback URL pointing at the receiver. */
    JobRun run(JobArguments arguments) {
        JobArguments withCallback = withCallback(arguments);
        Map<String, String> env = new HashMap<>(target.settings().toEnvironment());
        env.put(JobArguments.CALLBACK_TOKEN_ENV, TOKEN);
        int exit = new JobRunner(env, spark, Clock.systemUTC(),
                new HttpStatusReporter.RetryPolicy(4, Duration.ofMillis(50), Duration.ofSeconds(5)))
                .run(withCallback.toArgs());
        return new JobRun(exit, callbacks.reportsOf(withCallback.jobId()), withCallback, this);
    }

    JobArguments withCallback(JobArguments a) {
        return new JobArguments(a.tenant(), a.entity(), a.dataVersion(), a.action(), a.paramsJson(), a.inputManifest(),
                a.outputPrefix(), a.processId(), a.step(), a.attempt(), callbacks.urlFor(a.jobId()));
    }

    Manifest manifest(S3Uri uri) {
        return new S3ManifestStore(s3).read(uri).orElseThrow(() -> new AssertionError("no manifest at " + uri));
    }

    boolean exists(S3Uri uri) {
        return new S3ManifestStore(s3).read(uri).isPresent();
    }

    List<S3Object> list(String prefix) {
        List<S3Object> objects = new ArrayList<>();
        s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(target.bucket()).prefix(prefix).build())
                .contents().forEach(objects::add);
        return objects;
    }

    /** Copies the files a manifest lists into a local directory (for DuckDB); returns them in manifest order. */
    List<Path> download(Manifest manifest, Path dir) {
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (Manifest.DataFile file : manifest.files()) {
                Path local = dir.resolve(file.key().substring(file.key().lastIndexOf('/') + 1));
                s3.getObject(GetObjectRequest.builder().bucket(target.bucket()).key(file.key()).build(),
                        ResponseTransformer.toFile(local));
                files.add(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The outcome of one run: exit code and the reports the receiver got, in order. */
    record JobRun(int exitCode, List<JobStatusReport> reports, JobArguments arguments, JobHarness harness) {
        JobStatusReport last() {
            if (reports.isEmpty()) {
                throw new AssertionError("the job sent no report");
            }
            return reports.get(reports.size() - 1);
        }

        Manifest output() {
            return harness.manifest(S3Uri.parse("outputManifest", last().outputManifest()));
        }

        S3Uri outputManifestUri() {
            S3Uri prefix = S3Uri.parse("outputPrefix", arguments.outputPrefix());
            return new S3Uri(prefix.bucket(), StorageLayout.manifestKeyIn(prefix.key()));
        }
    }
}
