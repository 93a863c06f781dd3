package dev.snapflow.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenLoopScheduleTest {
    @Test
    void requestsAreDueAtFixedIntervalsFromTheStartWhateverHappenedBefore() {
        OpenLoopSchedule schedule = new OpenLoopSchedule(1_000, 500, Duration.ofSeconds(2));

        assertThat(schedule.dueNanos(0)).isEqualTo(1_000);
        assertThat(schedule.dueNanos(1)).isEqualTo(1_000 + 2_000_000);
        assertThat(schedule.dueNanos(999)).isEqualTo(1_000 + 999L * 2_000_000);
    }

    @Test
    void holdsRateTimesDurationRequests() {
        assertThat(new OpenLoopSchedule(0, 500, Duration.ofSeconds(2)).requests()).isEqualTo(1_000);
        assertThat(new OpenLoopSchedule(0, 1.5, Duration.ofSeconds(3)).requests()).isEqualTo(5);
    }

    @Test
    void fractionalRatesDoNotAccumulateRoundingDrift() {
        OpenLoopSchedule schedule = new OpenLoopSchedule(0, 3, Duration.ofSeconds(100));

        assertThat(schedule.dueNanos(300)).isEqualTo(100_000_000_000L);
    }

    @Test
    void refusesANonPositiveRateOrDuration() {
        assertThatThrownBy(() -> new OpenLoopSchedule(0, 0, Duration.ofSeconds(1))).hasMessageContaining("rate");
        assertThatThrownBy(() -> new OpenLoopSchedule(0, 10, Duration.ZERO)).hasMessageContaining("duration");
    }
}
