package dev.snapflow.functions.validate.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTest {

    @Test
    void lastLinesWithoutLineEndsOrTrailingBlankLines() {
        assertThat(LogText.lastLines("a\nb\r\nc\n\n", 2, false)).containsExactly("b", "c");
        assertThat(LogText.lastLines("a\nb\n", 10, false)).containsExactly("a", "b");
    }

    @Test
    void aTailCutFromALongerLogDropsItsPartialFirstLine() {
        assertThat(LogText.lastLines("rtial line\nwhole\nlast", 10, true)).containsExactly("whole", "last");
        assertThat(LogText.lastLines("only a fragment", 10, true)).containsExactly("only a fragment");
    }

    @Test
    void anEmptyLogHasNoLines() {
        assertThat(LogText.lastLines("", 5, false)).isEmpty();
    }
}
