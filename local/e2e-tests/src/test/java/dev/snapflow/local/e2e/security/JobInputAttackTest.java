package dev.snapflow.local.e2e.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.S3Uri;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.local.e2e.harness.RunningSnapflow;
import dev.snapflow.local.e2e.harness.RunningSnapflowExtension;
import dev.snapflow.local.sampledata.PublishedSnapshot;
import dev.snapflow.local.sampledata.SnapshotPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Attacks through what a tenant controls of a job's input, on the real stack: a manifest reaching into another
 * tenant's prefix, a name the Kubernetes API server would refuse, params that Kubernetes would expand, and a
 * regex that backtracks catastrophically. Each is refused where it enters, or runs harmlessly.
 */
@ExtendWith(RunningSnapflowExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobInputAttackTest {
    private static final Duration PIPELINE_TIMEOUT = Duration.ofMinutes(20); // three Spark jobs on a shared 2-core machine: a bound, not a target

    private final RunningSnapflow snapflow;
    private final S3Client s3;
    private final String bucket;

    JobInputAttackTest(RunningSnapflow snapflow) {
        this.snapflow = snapflow;
        this.s3 = snapflow.stack().s3().newClient();
        this.bucket = snapflow.stack().s3().bucket();
    }

    @AfterAll
    void closeClient() {
        s3.close();
    }

    private PublishedSnapshot publish(SnapshotRef ref, String content, Path dir) throws IOException {
        Path csv = Files.writeString(dir.resolve(ref.tenant() + "-" + ref.dataVersion() + ".csv"), content);
        return new SnapshotPublisher(s3, bucket).publishFiles(ref, List.of(csv));
    }

    /** Overwrites a raw manifest with one that lists {@code keys}, as a tenant with write access to its prefix can. */
    private void rewriteManifest(SnapshotRef ref, Manifest original, List<String> keys) {
        Manifest forged = new Manifest(original.manifestVersion(), original.kind(), original.tenant(), original.entity(),
                original.dataVersion(), original.tier(), null, original.format(),
                keys.stream().map(k -> new Manifest.DataFile(k, 10, null, null)).toList(), null, original.bytes(),
                original.schema(), original.producer(), original.committedAt(), List.of(), original.metrics(),
                List.of(), null);
        s3.putObject(b -> b.bucket(bucket).key(StorageLayout.rawSnapshotManifestKey(ref)),
                RequestBody.fromBytes(ManifestCodec.toJson(forged)));
    }

    private HttpResponse<String> submit(RunningSnapflow.Tenant tenant, String body) {
        return snapflow.send(HttpRequest.newBuilder(snapflow.url("validate", "/v1/processes"))
                .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private JsonNode accepted(RunningSnapflow.Tenant tenant, String body) {
        HttpResponse<String> response = submit(tenant, body);
        assertThat(response.statusCode()).as(response.body()).isIn(201, 202);
        return RunningSnapflow.json(response.body());
    }

    private JsonNode awaitTerminal(RunningSnapflow.Tenant tenant, String id) {
        return await().atMost(PIPELINE_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> RunningSnapflow.json(snapflow.send(HttpRequest.newBuilder(
                                snapflow.url("validate", "/v1/processes/" + id))
                        .header("Authorization", "Bearer " + tenant.apiKey()).GET().build()).body()),
                        process -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(process.path("state").asText()));
    }

    private static JsonNode assertProblem(HttpResponse<String> response, int status, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = RunningSnapflow.json(response.body());
        assertThat(problem.path("field").asText()).isEqualTo(field);
        return problem;
    }

    private long processesOf(RunningSnapflow.Tenant tenant) {
        return snapflow.count("SELECT count(*) FROM processes WHERE tenant_id = '" + tenant.id() + "'");
    }

    private Set<String> keysUnder(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).collect(Collectors.toSet());
    }

    @Test
    void aManifestListingAnotherTenantsFileIsRefusedAtSubmissionAndNothingIsStored(@TempDir Path dir) throws IOException {
        RunningSnapflow.Tenant victim = snapflow.newTenant("victim");
        RunningSnapflow.Tenant attacker = snapflow.newTenant("attacker");
        PublishedSnapshot secret = publish(new SnapshotRef(victim.id(), "orders", "v1"), "id,secret\n1,victims-data\n", dir);
        SnapshotRef ref = new SnapshotRef(attacker.id(), "orders", "v1");
        PublishedSnapshot own = publish(ref, "id,secret\n2,own-data\n", dir);
        rewriteManifest(ref, own.manifest(), List.of(own.manifest().files().get(0).key(), secret.manifest().files().get(0).key()));

        JsonNode problem = assertProblem(submit(attacker, "{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\"}"),
                422, "dataVersion");

        assertThat(problem.path("detail").asText()).contains("files[1].key", victim.id() + "/orders/v1/raw/");
        assertThat(processesOf(attacker)).isZero();
        assertThat(keysUnder(StorageLayout.versionPrefix(ref))).allMatch(key -> key.contains("/raw/"));
    }

    @Test
    void aManifestRewrittenAfterAcceptanceFailsTheJobInvalidDataAndCopiesNothing(@TempDir Path dir) throws IOException {
        RunningSnapflow.Tenant victim = snapflow.newTenant("victim");
        RunningSnapflow.Tenant attacker = snapflow.newTenant("attacker");
        PublishedSnapshot secret = publish(new SnapshotRef(victim.id(), "orders", "v1"), "id,secret\n1,victims-data\n", dir);
        SnapshotRef ref = new SnapshotRef(attacker.id(), "orders", "v1");
        PublishedSnapshot own = publish(ref, "id,secret\n2,own-data\n", dir);
        // The first process makes validate read the (then honest) manifest and remember the version as safe.
        JsonNode first = awaitTerminal(attacker, accepted(attacker,
                "{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\"}").path("id").asText());
        assertThat(first.path("state").asText()).as(first.toPrettyString()).isEqualTo("SUCCEEDED");
        String victimsKey = secret.manifest().files().get(0).key();
        rewriteManifest(ref, own.manifest(), List.of(victimsKey));
        Set<String> before = keysUnder(StorageLayout.versionPrefix(ref) + "bronze/");

        // Other params, so another output: validate accepts from memory, the job reads the rewritten manifest.
        JsonNode second = awaitTerminal(attacker, accepted(attacker,
                "{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"ingest\",\"params\":{\"onMalformed\":\"null\"}}")
                .path("id").asText());

        assertThat(second.path("state").asText()).as(second.toPrettyString()).isEqualTo("FAILED");
        JsonNode step = second.path("steps").get(0);
        assertThat(step.path("error").path("errorClass").asText()).as(step.toPrettyString()).isEqualTo("INVALID_DATA");
        assertThat(step.path("error").path("message").asText()).contains(victimsKey);
        assertThat(step.path("attempts").asInt()).isEqualTo(1); // INVALID_DATA is not retried
        assertThat(keysUnder(StorageLayout.versionPrefix(ref) + "bronze/")).isEqualTo(before);
    }

    @Test
    void aNameTheKubernetesApiServerWouldRefuseIsRefusedAtSubmission() {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("names");

        assertProblem(submit(tenant, "{\"entity\":\"orders_\",\"dataVersion\":\"v1\",\"action\":\"ingest\"}"), 422, "entity");
        assertProblem(submit(tenant, "{\"entity\":\"orders\",\"dataVersion\":\"v1-\",\"action\":\"ingest\"}"), 422, "dataVersion");

        assertThat(processesOf(tenant)).isZero();
    }

    @Test
    void aBackreferencePatternIsRefusedAtSubmissionNamingTheField() {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("regex");

        JsonNode problem = assertProblem(submit(tenant, "{\"entity\":\"orders\",\"dataVersion\":\"v1\",\"action\":\"clean\","
                + "\"params\":{\"schema\":[{\"name\":\"id\",\"type\":\"string\"}],\"rules\":[{\"rule\":\"not_null\",\"column\":\"id\"},"
                + "{\"rule\":\"not_null\",\"column\":\"id\"},{\"rule\":\"regex\",\"column\":\"id\",\"pattern\":\"^(a+)\\\\1$\"}]}}"),
                422, "params.rules[2].pattern");

        assertThat(problem.toString()).contains("RE2");
        assertThat(processesOf(tenant)).isZero();
    }

    /**
     * One refresh whose clean step carries a catastrophic regex over 2,000-character values and params full of
     * '$': it succeeds, the job saw exactly the submitted params, and a '$'-laden in_set and the equivalent regex
     * agree on the data.
     */
    @Test
    void paramsFullOfDollarsReachTheJobUnchangedAndACatastrophicRegexFinishes(@TempDir Path dir) throws IOException {
        RunningSnapflow.Tenant tenant = snapflow.newTenant("dollars");
        List<String> labels = List.of("paid", "$(HOME)", "$$", "$(AWS_SECRET_ACCESS_KEY)", "x$");
        StringBuilder csv = new StringBuilder("id,code,label\n");
        for (int i = 0; i < 200; i++) {
            csv.append(i).append(',').append("a".repeat(2_000)).append(i % 2 == 0 ? "!" : "").append(',')
                    .append(labels.get(i % labels.size())).append('\n');
        }
        publish(new SnapshotRef(tenant.id(), "codes", "v1"), csv.toString(), dir);
        String clean = """
                {"schema": [{"name": "id", "type": "int"}, {"name": "code", "type": "string"}, {"name": "label", "type": "string"}],
                 "rules": [
                   {"rule": "regex", "column": "code", "pattern": "(a+)+$", "severity": "warn"},
                   {"rule": "in_set", "column": "label", "values": ["paid", "$(HOME)", "$$", "$(AWS_SECRET_ACCESS_KEY)"], "severity": "warn"},
                   {"rule": "regex", "column": "label", "pattern": "^(paid|\\\\$\\\\(HOME\\\\)|[$][$]|\\\\$\\\\(AWS_SECRET_ACCESS_KEY\\\\))$", "severity": "warn"}]}""";
        String params = "{\"clean\":" + clean + ",\"aggregate\":{\"groupBy\":[\"label\"],\"aggregations\":[{\"function\":\"count\",\"as\":\"n\"}]}}";

        JsonNode process = awaitTerminal(tenant, accepted(tenant,
                "{\"entity\":\"codes\",\"dataVersion\":\"v1\",\"pipeline\":\"refresh\",\"params\":" + params + "}")
                .path("id").asText());

        assertThat(process.path("state").asText()).as(process.toPrettyString()).isEqualTo("SUCCEEDED");
        String silverUri = process.path("steps").get(1).path("attemptHistory").get(0).path("outputManifest").asText();
        S3Uri silverManifest = S3Uri.parse("outputManifest", silverUri);
        Manifest silver = ManifestCodec.fromJson(s3.getObjectAsBytes(b -> b.bucket(silverManifest.bucket())
                .key(silverManifest.key())).asByteArray());
        assertThat((JsonNode) new ObjectMapper().valueToTree(silver.producer().params()))
                .isEqualTo(RunningSnapflow.json(clean));
        assertThat(silver.quality()).extracting(Manifest.QualityResult::failed).containsExactly(100L, 40L, 40L);
    }
}
