package dev.snapflow.contracts.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageLayoutTest {
    private static final SnapshotRef REF = new SnapshotRef("acme", "orders", "2026-11-20");

    @Test
    void rawSnapshotManifestSitsInTheRawTierOfItsVersion() {
        assertThat(StorageLayout.versionPrefix(REF)).isEqualTo("acme/orders/2026-11-20/");
        assertThat(StorageLayout.rawSnapshotPrefix(REF)).isEqualTo("acme/orders/2026-11-20/raw/");
        assertThat(StorageLayout.rawSnapshotManifestKey(REF)).isEqualTo("acme/orders/2026-11-20/raw/_manifest.json");
    }

    @Test
    void outputManifestSitsInItsTierAndOutputId() {
        assertThat(StorageLayout.outputPrefix(REF, Tier.SILVER, "clean-0123456789abcdef"))
                .isEqualTo("acme/orders/2026-11-20/silver/clean-0123456789abcdef/");
        assertThat(StorageLayout.outputManifestKey(REF, Tier.GOLD, "aggregate-0123456789abcdef"))
                .isEqualTo("acme/orders/2026-11-20/gold/aggregate-0123456789abcdef/_manifest.json");
    }

    @Test
    void attemptFilesLiveUnderTheOutputsAttemptsFolder() {
        assertThat(StorageLayout.attemptPrefix(REF, Tier.SILVER, "clean-0123456789abcdef", "sf-x-s1-a2"))
                .isEqualTo("acme/orders/2026-11-20/silver/clean-0123456789abcdef/_attempts/sf-x-s1-a2/");
    }

    @Test
    void jobRunFilesLiveUnderTheTenantsJobsFolderByProcessStepAndAttempt() {
        String process = "3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b";
        assertThat(StorageLayout.jobsPrefix("acme")).isEqualTo("acme/_jobs/");
        assertThat(StorageLayout.driverLogKey("acme", process, 2, 3))
                .isEqualTo("acme/_jobs/3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b/steps/2/attempts/3/driver.log");
        assertThat(StorageLayout.sparkEventLogPrefix("acme", process, 2, 3))
                .isEqualTo("acme/_jobs/3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b/steps/2/attempts/3/spark-events/");
    }

    @Test
    void theJobsFolderCanNeverBeAnEntity() {
        assertThatThrownBy(() -> new SnapshotRef("acme", StorageLayout.JOBS_DIR, "v1"))
                .isInstanceOf(InvalidPathSegmentException.class).hasMessageStartingWith("entity");
    }

    @Test
    void jobRunKeysRefuseWhatIsNotAProcessStepOrAttempt() {
        String process = "3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b";
        assertThatThrownBy(() -> StorageLayout.driverLogKey("acme", "../other", 1, 1)).hasMessageContaining("processId");
        assertThatThrownBy(() -> StorageLayout.driverLogKey("acme", process.toUpperCase(), 1, 1)).hasMessageContaining("processId");
        assertThatThrownBy(() -> StorageLayout.driverLogKey("acme", process, 0, 1)).hasMessageContaining("step and attempt");
        assertThatThrownBy(() -> StorageLayout.driverLogKey("acme", process, 1, 1000)).hasMessageContaining("step and attempt");
        assertThatThrownBy(() -> StorageLayout.driverLogKey("../x", process, 1, 1))
                .isInstanceOf(InvalidPathSegmentException.class).hasMessageStartingWith("tenant");
    }

    @Test
    void latestPointerSitsBesideTheVersions() {
        assertThat(StorageLayout.latestPointerKey("acme", "orders")).isEqualTo("acme/orders/_latest.json");
    }

    @Test
    void manifestKeyInAFolder() {
        assertThat(StorageLayout.manifestKeyIn("a/b/")).isEqualTo("a/b/_manifest.json");
        assertThatThrownBy(() -> StorageLayout.manifestKeyIn("a/b")).hasMessageContaining("ends with '/'");
    }

    @Test
    void outputsAreNeverWrittenToTheRawTier() {
        assertThatThrownBy(() -> StorageLayout.outputPrefix(REF, Tier.RAW, "clean-0123456789abcdef"))
                .hasMessageContaining("raw tier");
    }

    @Test
    void unsafeOutputIdOrAttemptIdIsRejected() {
        assertThatThrownBy(() -> StorageLayout.outputPrefix(REF, Tier.SILVER, "../raw"))
                .isInstanceOf(InvalidPathSegmentException.class).hasMessageStartingWith("outputId");
        assertThatThrownBy(() -> StorageLayout.attemptPrefix(REF, Tier.SILVER, "clean-1", "a/b"))
                .isInstanceOf(InvalidPathSegmentException.class).hasMessageStartingWith("attemptId");
    }

    @Test
    void snapshotRefRejectsUnsafeSegmentsNamingTheField() {
        assertThatThrownBy(() -> new SnapshotRef("acme", "orders", "../2026"))
                .isInstanceOf(InvalidPathSegmentException.class).hasMessageStartingWith("dataVersion");
        assertThatThrownBy(() -> StorageLayout.latestPointerKey("acme/x", "orders")).hasMessageStartingWith("tenant");
    }

    @Test
    void tiersMapToTheirPathSegments() {
        for (Tier tier : Tier.values()) {
            assertThat(Tier.fromPathSegment(tier.pathSegment())).isEqualTo(tier);
        }
        assertThatThrownBy(() -> Tier.fromPathSegment("platinum")).hasMessageContaining("unknown tier 'platinum'");
    }
}
