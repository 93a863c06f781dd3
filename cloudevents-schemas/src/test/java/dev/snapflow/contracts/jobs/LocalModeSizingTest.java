package dev.snapflow.contracts.jobs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalModeSizingTest {

    @Test
    void aLocalJobGetsTheExecutorsTaskSlotsUpToTheMachinesCores() {
        assertThat(LocalModeSizing.taskSlots(1, 2, 1, 8)).isEqualTo(2);
        assertThat(LocalModeSizing.taskSlots(1, 4, 2, 2)).isEqualTo(2);
    }

    @Test
    void withoutExecutorsTheDriversCoresRunTheTasks() {
        assertThat(LocalModeSizing.taskSlots(2, 0, 1, 8)).isEqualTo(2);
    }

    @Test
    void theHeapIsTheDriversAndEveryExecutorsMemory() {
        assertThat(LocalModeSizing.heapMb(1024, 2, 2048)).isEqualTo(5120);
        assertThat(LocalModeSizing.heapMb(512, 0, 2048)).isEqualTo(512);
    }

    @Test
    void catalogSizesAreReadInMebibytesRoundedUp() {
        assertThat(LocalModeSizing.mebibytes("512m")).isEqualTo(512);
        assertThat(LocalModeSizing.mebibytes("2G")).isEqualTo(2048);
        assertThat(LocalModeSizing.mebibytes("1536k")).isEqualTo(2);
        assertThat(LocalModeSizing.mebibytes("1t")).isEqualTo(1024 * 1024);
    }

    @Test
    void aSizeWithoutAUnitOrNumberIsRefusedWithTheValue() {
        assertThatThrownBy(() -> LocalModeSizing.mebibytes("lots")).hasMessageContaining("'lots'");
        assertThatThrownBy(() -> LocalModeSizing.mebibytes("512")).hasMessageContaining("'512'");
        assertThatThrownBy(() -> LocalModeSizing.mebibytes("g")).hasMessageContaining("'g'");
    }
}
