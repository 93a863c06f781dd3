package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.JobState;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.sampledata.OrdersSpec;
import dev.snapflow.local.sampledata.PublishedSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The demo's refresh pipeline on generated orders (ingest → clean → aggregate, each reading the previous
 * step's committed output), run once per test JVM with the example params shipped in the jar; each test
 * class checks one step against DuckDB.
 */
final class PipelineFixture {
    static final OrdersSpec SPEC = new OrdersSpec(42, 6_000, 4);
    private static PipelineFixture shared;

    final JobHarness harness;
    final SnapshotRef ref = JobHarness.newRef("orders");
    final PublishedSnapshot raw;
    private JobHarness.JobRun ingest;
    private JobHarness.JobRun clean;
    private JobHarness.JobRun aggregate;

    private PipelineFixture(JobHarness harness) {
        this.harness = harness;
        this.raw = harness.publishOrders(ref, SPEC);
    }

    static synchronized PipelineFixture shared(JobHarness harness) {
        if (shared == null) {
            shared = new PipelineFixture(harness);
        }
        return shared;
    }

    static String exampleParams(String action) {
        try (InputStream in = PipelineFixture.class.getResourceAsStream("/params/examples/" + action + ".orders.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized JobHarness.JobRun ingest() {
        if (ingest == null) {
            ingest = succeeded(harness.run(harness.arguments(ref, "ingest", exampleParams("ingest"), raw.manifestUri(), Tier.BRONZE)));
        }
        return ingest;
    }

    synchronized JobHarness.JobRun clean() {
        if (clean == null) {
            clean = succeeded(harness.run(harness.arguments(ref, "clean", exampleParams("clean"), outputOf(ingest()), Tier.SILVER)));
        }
        return clean;
    }

    synchronized JobHarness.JobRun aggregate() {
        if (aggregate == null) {
            aggregate = succeeded(harness.run(harness.arguments(ref, "aggregate", exampleParams("aggregate"),
                    outputOf(clean()), Tier.GOLD)));
        }
        return aggregate;
    }

    static S3Uri outputOf(JobHarness.JobRun run) {
        return S3Uri.parse("outputManifest", run.last().outputManifest());
    }

    private static JobHarness.JobRun succeeded(JobHarness.JobRun run) {
        if (run.exitCode() != 0 || run.last().state() != JobState.SUCCEEDED) {
            throw new AssertionError(run.arguments().action() + " did not succeed: exit " + run.exitCode() + ", " + run.reports());
        }
        return run;
    }
}
