package dev.snapflow.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The short history of headline figures kept in {@code bench/README.md}: rows live between two marker comments, newest
 * first; everything outside the markers is left as it is.
 */
public final class HistoryTable {
    public static final String START = "<!-- history:start -->";
    public static final String END = "<!-- history:end -->";

    private HistoryTable() {
    }

    /** The README with {@code row} (one Markdown table row) added at the top of the history. */
    public static String withRow(String readme, String header, String row) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bench/README.md has no " + START + " … " + END + " section");
        }
        String inside = readme.substring(start + START.length(), end);
        List<String> rows = new ArrayList<>(Arrays.stream(inside.split("\n"))
                .map(String::strip).filter(line -> line.startsWith("|")).toList());
        // The first two lines are the header and its separator.
        List<String> data = rows.size() >= 2 ? new ArrayList<>(rows.subList(2, rows.size())) : new ArrayList<>();
        data.addFirst(row.strip());
        StringBuilder table = new StringBuilder("\n").append(header.strip()).append('\n');
        long columns = header.strip().chars().filter(c -> c == '|').count() - 1;
        table.append('|');
        for (int i = 0; i < columns; i++) {
            table.append(" --- |");
        }
        table.append('\n');
        data.forEach(line -> table.append(line).append('\n'));
        return readme.substring(0, start + START.length()) + table + readme.substring(end);
    }
}
