package dev.snapflow.spark.actions;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ShufflePartitionsTest {
    private static final long MIB = 1024L * 1024;

    @Test
    void aSmallInputGetsTwoPartitionsPerTaskSlot() {
        assertThat(ActionContext.shufflePartitions(2, 50 * MIB)).isEqualTo(4);
        assertThat(ActionContext.shufflePartitions(1, 0)).isEqualTo(2);
    }

    @Test
    void aLargeInputGetsOnePartitionPer16MiBOfParquet() {
        assertThat(ActionContext.shufflePartitions(2, 512 * MIB)).isEqualTo(32);
        assertThat(ActionContext.shufflePartitions(2, 512 * MIB + 1)).isEqualTo(33);
    }

    @Test
    void partitionsAreBoundedWhateverTheInputOrSlots() {
        assertThat(ActionContext.shufflePartitions(2, 1024L * 1024 * MIB)).isEqualTo(2_000);
        assertThat(ActionContext.shufflePartitions(0, 0)).isEqualTo(2);
    }
}
