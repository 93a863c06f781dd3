package dev.snapflow.contracts.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.contracts.TestResources;
import dev.snapflow.contracts.schema.InvalidDocumentException;
import dev.snapflow.contracts.schema.SchemaValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ManifestCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"snapshot.valid.json", "output.valid.json"})
    void exampleManifestValidatesAndRoundTrips(String example) throws Exception {
        byte[] json = TestResources.example("manifests/" + example);

        assertThat(new SchemaValidator().validate(ManifestCodec.SCHEMA, JSON.readTree(json))).isEmpty();
        Manifest manifest = ManifestCodec.fromJson(json);
        assertThat(ManifestCodec.fromJson(ManifestCodec.toJson(manifest))).isEqualTo(manifest);
        assertThat(JSON.readTree(ManifestCodec.toJson(manifest))).isEqualTo(JSON.readTree(json));
    }

    @Test
    void manifestBuiltInCodeRoundTrips() {
        Manifest manifest = new Manifest(1, Manifest.KIND_OUTPUT, "acme", "orders", "2026-11-20", "gold",
                "aggregate-0123456789abcdef", "parquet",
                List.of(new Manifest.DataFile("acme/orders/2026-11-20/gold/aggregate-0123456789abcdef/_attempts/a1/part-0.parquet", 2048, 12L, null)),
                12L, 2048, List.of(new Manifest.Column("day", "date", false)),
                new Manifest.Producer("snapflow-spark-jobs", "0.1.0", "3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b", 3, 1,
                        "aggregate", Map.of("by", "day")),
                Instant.parse("2026-11-21T10:20:00Z"), List.of("acme/orders/2026-11-20/silver/clean-0123456789abcdef/_manifest.json"),
                Map.of("rowsOut", 12), List.of(), null);

        assertThat(ManifestCodec.fromJson(ManifestCodec.toJson(manifest))).isEqualTo(manifest);
    }

    @ParameterizedTest(name = "{0} names {1}")
    @CsvSource({
            "output.invalid--missing-output-id.json, outputId, is required",
            "snapshot.invalid--missing-files.json, files, is required",
            "snapshot.invalid--unknown-format.json, format, enumeration",
            "snapshot.invalid--bad-checksum.json, files[0].sha256, does not match",
            "snapshot.invalid--snapshot-outside-raw.json, tier, constant",
            "output.invalid--wrong-type.json, bytes, integer expected",
    })
    void invalidManifestIsRejectedNamingTheField(String example, String field, String reason) {
        InvalidDocumentException e = catchThrowableOfType(InvalidDocumentException.class,
                () -> ManifestCodec.fromJson(TestResources.example("manifests/" + example)));

        assertThat(e).as(example).isNotNull();
        assertThat(e.violations()).as(e.getMessage())
                .anySatisfy(v -> {
                    assertThat(v.field()).isEqualTo(field);
                    assertThat(v.message()).contains(reason);
                });
    }

    @Test
    void manifestOfANewerContractVersionIsRejectedPlainly() throws Exception {
        JsonNode json = JSON.readTree(TestResources.example("manifests/snapshot.valid.json"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("manifestVersion", 2);

        assertThatThrownBy(() -> ManifestCodec.fromJson(JSON.writeValueAsBytes(json)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("manifestVersion: unsupported manifestVersion 2; this code reads version 1");
    }

    @Test
    void fieldsAddedByALaterWriterAreIgnored() throws Exception {
        JsonNode json = JSON.readTree(TestResources.example("manifests/snapshot.valid.json"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("compression", "zstd");

        assertThat(ManifestCodec.fromJson(JSON.writeValueAsBytes(json)))
                .isEqualTo(ManifestCodec.fromJson(TestResources.example("manifests/snapshot.valid.json")));
    }

    @Test
    void bytesThatAreNotJsonAreRejected() {
        assertThatThrownBy(() -> ManifestCodec.fromJson("{\"kind\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidDocumentException.class).hasMessageStartingWith("invalid manifest: not JSON");
    }

    @Test
    void writerCannotCommitAManifestItsReadersWouldReject() {
        Manifest outputWithoutId = new Manifest(1, Manifest.KIND_OUTPUT, "acme", "orders", "2026-11-20", "silver",
                null, "parquet", List.of(), 0L, 0, List.of(), new Manifest.Producer("snapflow-spark-jobs", null, null,
                null, null, null, null), Instant.parse("2026-11-21T10:20:00Z"), List.of(), Map.of(), List.of(), null);

        assertThatThrownBy(() -> ManifestCodec.toJson(outputWithoutId))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("outputId: is required");
    }
}
