package dev.snapflow.local.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MonotonicProgressTest {

    @Test
    void theDemosBackwardsSequenceIsShownAsNeverGoingBack() {
        MonotonicProgress progress = new MonotonicProgress();
        // tasks done / planned as the aggregate step reported them: 55 % → 38 % → 50 % → 35 %, then more
        long[][] reports = {{11, 20}, {19, 50}, {40, 80}, {42, 120}, {110, 120}};
        List<Double> shown = new ArrayList<>();
        for (long[] r : reports) {
            shown.add(progress.fraction(3, 1, "RUNNING", r[0], r[1]));
        }
        assertThat(shown).containsExactly(0.55, 0.55, 0.55, 0.55, 110.0 / 120);
        assertThat(shown).isSorted();
    }

    @Test
    void onlyASucceededStepIsFull() {
        MonotonicProgress progress = new MonotonicProgress();
        assertThat(progress.fraction(1, 1, "RUNNING", 8, 8)).isEqualTo(MonotonicProgress.RUNNING_CAP);
        assertThat(progress.fraction(1, 1, "SUCCEEDED", 8, 8)).isEqualTo(1.0);
    }

    @Test
    void aStepThatFailedOrIsWaitingKeepsWhatItReached() {
        MonotonicProgress progress = new MonotonicProgress();
        assertThat(progress.fraction(2, 1, "QUEUED", 0, 0)).isZero();
        progress.fraction(2, 1, "RUNNING", 3, 10);
        assertThat(progress.fraction(2, 1, "FAILED", 0, 0)).isEqualTo(0.3);
        assertThat(progress.fraction(2, 1, "RUNNING", 1, 0)).as("nothing planned yet says nothing").isEqualTo(0.3);
    }

    @Test
    void eachStepAndEachRetryHasItsOwnBar() {
        MonotonicProgress progress = new MonotonicProgress();
        progress.fraction(1, 1, "RUNNING", 9, 10);
        assertThat(progress.fraction(2, 1, "RUNNING", 1, 10)).isEqualTo(0.1);
        assertThat(progress.fraction(1, 2, "RUNNING", 2, 10)).as("attempt 2 starts over").isEqualTo(0.2);
    }
}
