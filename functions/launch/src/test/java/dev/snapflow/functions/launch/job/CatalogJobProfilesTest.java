package dev.snapflow.functions.launch.job;

import dev.snapflow.functions.launch.backend.JobProfile;
import dev.snapflow.functions.shared.catalog.ActionCatalogLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogJobProfilesTest {
    private final CatalogJobProfiles profiles = new CatalogJobProfiles(ActionCatalogLoader.load(ActionCatalogLoader.DEFAULT_CATALOG));

    @Test
    void actionOfTheShippedCatalogMapsToItsImageEntryPointAndSizes() {
        JobProfile clean = profiles.profileFor("clean", Duration.ofMinutes(20)).orElseThrow();

        assertThat(clean.image()).isEqualTo("ghcr.io/snapflow/spark-jobs:0.1.0");
        assertThat(clean.mainClass()).isNotBlank();
        assertThat(clean.timeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(clean.resources().driverCores()).isEqualTo(1);
        assertThat(clean.resources().driverMemoryMb()).isEqualTo(1024);
        assertThat(clean.resources().executorInstances()).isEqualTo(2);
        assertThat(clean.resources().executorMemoryMb()).isEqualTo(2048);
        assertThat(clean.resources().driverContainerMemoryMb()).isEqualTo(1024 + 384);
    }

    @Test
    void actionMissingFromTheCatalogHasNoProfile() {
        assertThat(profiles.profileFor("no-such-action", Duration.ofMinutes(20))).isEmpty();
    }
}
