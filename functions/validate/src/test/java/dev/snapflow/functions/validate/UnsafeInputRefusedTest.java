package dev.snapflow.functions.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.SnapshotRef;
import dev.snapflow.contracts.storage.StorageLayout;
import dev.snapflow.contracts.storage.Tier;
import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Submissions that would make a job read another tenant's data, fail at launch, or hold a slot with a
 * backtracking regex are refused with 422 naming the field, and nothing is stored.
 */
@Tag("database")
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnsafeInputRefusedTest {
    private ValidateHarness validate;
    private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
    private final String victim = "v-" + UUID.randomUUID().toString().substring(0, 8);
    private String apiKey;

    @BeforeAll
    void start(LocalStack stack) throws Exception {
        validate = new ValidateHarness(stack, Map.of());
        apiKey = validate.createTenant(tenant)[0];
        validate.commitRawSnapshot(new SnapshotRef(tenant, "orders", "good"));
        validate.commitRawSnapshot(new SnapshotRef(victim, "orders", "v1"));
    }

    @AfterAll
    void stop() {
        validate.close();
    }

    private HttpResponse<String> submit(String body) throws Exception {
        return validate.post("/v1/processes", apiKey, "application/json", body);
    }

    private long processesOfTenant() throws Exception {
        return validate.count("SELECT count(*) FROM processes WHERE tenant_id = ?", tenant);
    }

    private static JsonNode assertProblem(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = ValidateHarness.JSON.readTree(response.body());
        assertThat(problem.get("field").asText()).isEqualTo(field);
        return problem;
    }

    private void forgeManifest(SnapshotRef ref, String... keys) {
        Manifest manifest = new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_SNAPSHOT, ref.tenant(), ref.entity(),
                ref.dataVersion(), Tier.RAW.pathSegment(), null, "csv",
                java.util.Arrays.stream(keys).map(k -> new Manifest.DataFile(k, 10, null, null)).toList(), null, 10,
                List.of(),
                new Manifest.Producer("forger", "1", null, null, null, null, null), Instant.now(), List.of(), Map.of(), List.of(), null);
        validate.s3.putObject(b -> b.bucket(validate.stack.s3().bucket()).key(StorageLayout.rawSnapshotManifestKey(ref)),
                RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
    }

    @Test
    void aManifestListingAnotherTenantsFileIsRefusedNamingTheDataVersion() throws Exception {
        forgeManifest(new SnapshotRef(tenant, "orders", "stolen"), tenant + "/orders/stolen/raw/part-0.csv",
                victim + "/orders/v1/raw/raw-snapshot.csv");
        long before = processesOfTenant();

        JsonNode problem = assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"stolen\",\"action\":\"ingest\"}"),
                422, "dataVersion");

        assertThat(problem.get("detail").asText()).contains("files[1].key", victim + "/orders/v1/raw/");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void aManifestListingAGlobIsRefused() throws Exception {
        forgeManifest(new SnapshotRef(tenant, "orders", "globbed"), tenant + "/orders/globbed/raw/*.csv");

        JsonNode problem = assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"globbed\",\"action\":\"ingest\"}"),
                422, "dataVersion");

        assertThat(problem.get("detail").asText()).contains("files[0].key", "'*'");
    }

    @Test
    void aSafeManifestIsAccepted() throws Exception {
        assertThat(submit("{\"entity\":\"orders\",\"dataVersion\":\"good\",\"action\":\"ingest\"}").statusCode())
                .isEqualTo(201);
    }

    @Test
    void aNameThatIsNoKubernetesLabelValueIsRefused() throws Exception {
        long before = processesOfTenant();
        assertProblem(submit("{\"entity\":\"orders_\",\"dataVersion\":\"good\",\"action\":\"ingest\"}"), 422, "entity");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"good.\",\"action\":\"ingest\"}"), 422, "dataVersion");
        assertThat(processesOfTenant()).isEqualTo(before);
    }

    @Test
    void aRegexRuleTheLinearTimeEngineCannotRunIsRefusedNamingThePattern() throws Exception {
        long before = processesOfTenant();
        String clean = """
                {"schema":[{"name":"id","type":"string"}],
                 "rules":[{"rule":"not_null","column":"id"},{"rule":"regex","column":"id","pattern":"(a+)+$"},
                          {"rule":"regex","column":"id","pattern":"^(a)\\\\1$"}]}""";

        JsonNode problem = assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"good\",\"pipeline\":\"refresh\","
                + "\"params\":{\"clean\":" + clean + ",\"aggregate\":{\"aggregations\":[{\"function\":\"count\",\"as\":\"n\"}]}}}"),
                422, "params.clean.rules[2].pattern");

        assertThat(problem.toString()).contains("RE2");
        assertProblem(submit("{\"entity\":\"orders\",\"dataVersion\":\"good\",\"action\":\"clean\",\"params\":" + clean + "}"),
                422, "params.rules[2].pattern");
        assertThat(processesOfTenant()).isEqualTo(before);
    }
}
