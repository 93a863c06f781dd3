package dev.snapflow.contracts.storage;

import dev.snapflow.contracts.TestResources;
import dev.snapflow.contracts.schema.InvalidDocumentException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatestPointerTest {
    private static final Instant T = Instant.parse("2026-11-20T23:59:58Z");

    @Test
    void roundTripsThroughJson() {
        LatestPointer pointer = new LatestPointer("2026-11-20", T);

        assertThat(LatestPointerCodec.fromJson(LatestPointerCodec.toJson(pointer))).isEqualTo(pointer);
        assertThat(new String(LatestPointerCodec.toJson(pointer), StandardCharsets.UTF_8))
                .contains("\"dataVersion\" : \"2026-11-20\"", "\"committedAt\" : \"2026-11-20T23:59:58Z\"");
    }

    @Test
    void namesTheRawSnapshotOfAManifest() {
        Manifest raw = ManifestCodec.fromJson(TestResources.example("manifests/snapshot.valid.json"));

        assertThat(LatestPointer.of(raw)).isEqualTo(new LatestPointer("2026-11-20", T));
    }

    @Test
    void neverNamesAnOutput() {
        Manifest output = ManifestCodec.fromJson(TestResources.example("manifests/output.valid.json"));

        assertThatThrownBy(() -> LatestPointer.of(output)).hasMessageContaining("raw snapshots");
    }

    @Test
    void movesOnlyForward() {
        LatestPointer current = new LatestPointer("2026-11-20", T);

        assertThat(new LatestPointer("2026-11-21", T.plusSeconds(60)).supersedes(current)).isTrue();
        assertThat(new LatestPointer("2026-11-19", T.minusSeconds(60)).supersedes(current)).isFalse();
        assertThat(current.supersedes(current)).isFalse();
        assertThat(current.supersedes(null)).isTrue();
    }

    @Test
    void simultaneousCommitsAgreeOnOneWinner() {
        LatestPointer a = new LatestPointer("batch-a", T);
        LatestPointer b = new LatestPointer("batch-b", T);

        assertThat(b.supersedes(a)).isTrue();
        assertThat(a.supersedes(b)).isFalse();
    }

    @Test
    void latestIsNotAConcreteVersion() {
        assertThatThrownBy(() -> new LatestPointer("latest", T)).hasMessageContaining("not 'latest'");
        assertThatThrownBy(() -> LatestPointerCodec.fromJson(
                "{\"dataVersion\":\"latest\",\"committedAt\":\"2026-11-20T23:59:58Z\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("dataVersion: must be a concrete data version");
    }

    @Test
    void pointerWithoutCommitTimeIsRejected() {
        assertThatThrownBy(() -> LatestPointerCodec.fromJson("{\"dataVersion\":\"v1\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("committedAt: is required");
    }

    @Test
    void pointerWithExtraDescriptiveFieldsIsRead() {
        byte[] json = ("{\"pointerVersion\":1,\"tenant\":\"acme\",\"entity\":\"orders\",\"dataVersion\":\"v1\","
                + "\"manifestKey\":\"acme/orders/v1/raw/_manifest.json\",\"committedAt\":\"2026-11-20T23:59:58Z\"}")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(LatestPointerCodec.fromJson(json)).isEqualTo(new LatestPointer("v1", T));
    }
}
