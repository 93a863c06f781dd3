package dev.snapflow.contracts.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ManifestFilesTest {
    private static final SnapshotRef REF = new SnapshotRef("acme", "orders", "v1");
    private static final String RAW = "acme/orders/v1/raw/";

    private static Manifest snapshot(String... keys) {
        return new Manifest(StorageLayout.CONTRACT_VERSION, Manifest.KIND_SNAPSHOT, "acme", "orders", "v1", "raw", null,
                "csv", java.util.Arrays.stream(keys).map(k -> new Manifest.DataFile(k, 1, null, null)).toList(), null, 1,
                List.of(), null, Instant.EPOCH, List.of(), Map.of(), List.of(), null);
    }

    private static UnsafeManifestException refused(Manifest manifest) {
        return catchThrowableOfType(UnsafeManifestException.class,
                () -> ManifestFiles.requireContained(StorageLayout.rawSnapshotManifestKey(REF), manifest));
    }

    @Test
    void filesUnderTheSnapshotsOwnPrefixAreAccepted() {
        assertThatCode(() -> ManifestFiles.requireContained(StorageLayout.rawSnapshotManifestKey(REF),
                snapshot(RAW + "part-0.csv", RAW + "2026/11/part-1.csv", RAW + "naïve name (1).csv")))
                .doesNotThrowAnyException();
    }

    @Test
    void anOutputsFilesMustLieUnderItsOwnOutputFolder() {
        String prefix = StorageLayout.outputPrefix(REF, Tier.BRONZE, "ingest-0123");
        Manifest output = new Manifest(1, Manifest.KIND_OUTPUT, "acme", "orders", "v1", "bronze", "ingest-0123",
                "parquet", List.of(new Manifest.DataFile(prefix + "_attempts/a1/part-0.parquet", 1, 1L, null)), 1L, 1,
                List.of(), null, Instant.EPOCH, List.of(), Map.of(), List.of(), null);
        assertThatCode(() -> ManifestFiles.requireContained(prefix + StorageLayout.MANIFEST_FILE, output))
                .doesNotThrowAnyException();

        UnsafeManifestException e = catchThrowableOfType(UnsafeManifestException.class, () -> ManifestFiles.requireContained(
                StorageLayout.outputPrefix(REF, Tier.BRONZE, "ingest-other") + StorageLayout.MANIFEST_FILE, output));
        assertThat(e.field()).isEqualTo("manifest");
    }

    @Test
    void anotherTenantsFileIsRefusedNamingTheFieldAndTheKey() {
        UnsafeManifestException e = refused(snapshot(RAW + "part-0.csv", "other-tenant/orders/v1/raw/part-0.csv"));

        assertThat(e.field()).isEqualTo("files[1].key");
        assertThat(e).hasMessage("files[1].key 'other-tenant/orders/v1/raw/part-0.csv' lies outside the snapshot's own "
                + "prefix acme/orders/v1/raw/");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "acme/customers/v1/raw/part-0.csv",     // another entity
            "acme/orders/v2/raw/part-0.csv",        // another version
            "acme/orders/v1/bronze/x/part-0.parquet", // another tier
            "acme/orders/v1/raw",                   // the folder itself
            "acme/orders/v1/raw/",                  // the folder itself
            "acme/orders/v1/rawx/part-0.csv",       // a sibling sharing the prefix's text
            "acme-evil/orders/v1/raw/part-0.csv"})
    void aKeyOutsideTheSnapshotsOwnPrefixIsRefused(String key) {
        assertThat(refused(snapshot(key)).field()).isEqualTo("files[0].key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*.csv", "part-?.csv", "part-[01].csv", "part-{0,1}.csv", "x}", "x]", "part\\*.csv", "a:b.csv"})
    void globEscapeAndSchemeCharactersAreRefused(String name) {
        UnsafeManifestException e = refused(snapshot(RAW + name));
        assertThat(e.field()).isEqualTo("files[0].key");
        assertThat(e.reason()).contains("must not contain '");
    }

    @Test
    void aGlobReachingIntoEveryTenantIsRefused() {
        assertThat(refused(snapshot("*/orders/v1/raw/part-0.csv")).reason()).contains("must not contain '*'");
    }

    @Test
    void dotDotAndDotSegmentsAreRefused() {
        assertThat(refused(snapshot(RAW + "../../../../other/orders/v1/raw/part-0.csv")).reason())
                .contains("must not contain a '..' segment");
        assertThat(refused(snapshot(RAW + "./part-0.csv")).reason()).contains("must not contain a '.' segment");
    }

    @Test
    void emptySegmentsALeadingSlashAndSchemesAreRefused() {
        assertThat(refused(snapshot(RAW + "a//part-0.csv")).reason()).contains("empty segment");
        assertThat(refused(snapshot("/" + RAW + "part-0.csv")).reason()).contains("must not start with '/'");
        assertThat(refused(snapshot("s3a://other-bucket/" + RAW + "part-0.csv")).reason()).contains("not a URI with a scheme");
        assertThat(refused(snapshot("")).reason()).isEqualTo("must not be empty");
    }

    @Test
    void controlCharactersAreRefusedAndShownEscaped() {
        UnsafeManifestException e = refused(snapshot(RAW + "part\n0.csv"));
        assertThat(e).hasMessageContaining("\\u000a").hasMessageContaining("control characters");
    }

    @Test
    void aManifestStoredUnderAnotherSnapshotsKeyIsRefused() {
        // A manifest copied from another tenant's snapshot: its own fields point there, its files too.
        Manifest foreign = new Manifest(1, Manifest.KIND_SNAPSHOT, "other", "orders", "v1", "raw", null, "csv",
                List.of(new Manifest.DataFile("other/orders/v1/raw/part-0.csv", 1, null, null)), null, 1, List.of(), null,
                Instant.EPOCH, List.of(), Map.of(), List.of(), null);
        UnsafeManifestException e = refused(foreign);
        assertThat(e.field()).isEqualTo("manifest");
        assertThat(e).hasMessageContaining("other/orders/v1/raw/");
    }

    @Test
    void aManifestWhoseOwnFieldsAreNoPathSegmentsIsRefused() {
        Manifest broken = new Manifest(1, Manifest.KIND_SNAPSHOT, "acme", "../x", "v1", "raw", null, "csv", List.of(),
                null, 1, List.of(), null, Instant.EPOCH, List.of(), Map.of(), List.of(), null);
        assertThat(refused(broken).field()).isEqualTo("entity");
    }

    @Test
    void theContractsExampleManifestsKeepToTheRule() throws Exception {
        for (String example : new String[] {"snapshot.valid.json", "output.valid.json"}) {
            Manifest manifest = ManifestCodec.fromJson(dev.snapflow.contracts.TestResources.example("manifests/" + example));
            assertThatCode(() -> ManifestFiles.requireContained(
                    StorageLayout.manifestKeyIn(ManifestFiles.dataPrefix(manifest)), manifest)).as(example)
                    .doesNotThrowAnyException();
        }
    }
}
