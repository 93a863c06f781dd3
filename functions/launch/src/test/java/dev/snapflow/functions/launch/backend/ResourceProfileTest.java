package dev.snapflow.functions.launch.backend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceProfileTest {

    @Test
    void aLocalJobGetsTheExecutorsTaskSlotsAndTheWholeProfilesHeap() {
        ResourceProfile clean = new ResourceProfile(1, 1024, 2, 1, 2048);

        assertThat(clean.localTaskSlots(8)).isEqualTo(2);
        assertThat(clean.localHeapMb()).isEqualTo(1024 + 2 * 2048);
        assertThat(clean.localTaskSlots(1)).as("never more slots than the machine has cores").isEqualTo(1);
    }

    @Test
    void aProfileWithoutExecutorsRunsItsTasksOnTheDriversCores() {
        ResourceProfile driverOnly = new ResourceProfile(2, 512, 0, 1, 256);

        assertThat(driverOnly.localTaskSlots(8)).isEqualTo(2);
        assertThat(driverOnly.localHeapMb()).isEqualTo(512);
    }

    @Test
    void containerMemoryAddsSparksOverheadOfTenPercentButAtLeast384MiB() {
        assertThat(new ResourceProfile(1, 1024, 1, 1, 1024).driverContainerMemoryMb()).isEqualTo(1024 + 384);
        assertThat(new ResourceProfile(1, 8192, 1, 1, 1024).driverContainerMemoryMb()).isEqualTo(8192 + 819);
    }

    @Test
    void aProfileBelowTheMinimumsIsRefusedByField() {
        assertThatThrownBy(() -> new ResourceProfile(1, 32, 1, 1, 1024)).hasMessageContaining("driverMemoryMb");
        assertThatThrownBy(() -> new ResourceProfile(1, 1024, -1, 1, 1024)).hasMessageContaining("executorInstances");
    }
}
