package dev.snapflow.functions.validate.storage;

import java.util.Arrays;
import java.util.List;

/** Plain text handling of a log's tail. */
public final class LogText {
    private LogText() {
    }

    /**
     * The last {@code count} lines of {@code text}, without their line ends and without trailing empty lines.
     *
     * @param startsMidLine the text was cut from a longer log, so its first line is partial and dropped
     */
    public static List<String> lastLines(String text, int count, boolean startsMidLine) {
        List<String> lines = Arrays.asList(text.split("\r?\n", -1));
        int from = startsMidLine && lines.size() > 1 ? 1 : 0;
        int to = lines.size();
        while (to > from && lines.get(to - 1).isBlank()) {
            to--;
        }
        return List.copyOf(lines.subList(Math.max(from, to - count), to));
    }
}
