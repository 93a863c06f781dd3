package dev.snapflow.spark.logs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedLogTest {

    private static void append(BoundedLog log, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        log.append(bytes, 0, bytes.length);
    }

    private static String contents(BoundedLog log) {
        return new String(log.contents(), StandardCharsets.UTF_8);
    }

    @Test
    void keepsEverythingWhileUnderTheBound() {
        BoundedLog log = new BoundedLog(100);
        append(log, "starting\n");
        append(log, "done\n");
        assertThat(contents(log)).isEqualTo("starting\ndone\n");
    }

    @Test
    void overTheBoundKeepsTheFirstAndLastHalvesAndSaysHowMuchWasOmitted() {
        BoundedLog log = new BoundedLog(10);
        append(log, "HEAD1");          // fills the head (5 bytes)
        append(log, "0123456789");     // the tail keeps the last 5 of these
        append(log, "END\n");
        assertThat(contents(log)).isEqualTo("HEAD1\n[snapflow: 9 bytes of output omitted here]\n9END\n");
    }

    @Test
    void exactlyAtTheBoundOmitsNothing() {
        BoundedLog log = new BoundedLog(10);
        append(log, "abcdefghij");
        assertThat(contents(log)).isEqualTo("abcdefghij");
    }

    @Test
    void versionMovesWithEveryAppendOnly() {
        BoundedLog log = new BoundedLog(10);
        long before = log.version();
        log.contents();
        assertThat(log.version()).isEqualTo(before);
        append(log, "x");
        assertThat(log.version()).isGreaterThan(before);
        log.append(new byte[0], 0, 0);
        assertThat(log.version()).isEqualTo(before + 1);
    }

    @Test
    void refusesABoundTooSmallToHoldBothEnds() {
        assertThatThrownBy(() -> new BoundedLog(1)).hasMessageContaining("at least 2");
    }
}
