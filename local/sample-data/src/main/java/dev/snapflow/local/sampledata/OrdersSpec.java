package dev.snapflow.local.sampledata;

/**
 * What to generate: the same spec always yields the same bytes.
 *
 * @param seed  random seed
 * @param rows  CSV data lines in total (dirt included: duplicates and late updates count as lines)
 * @param files how many CSV files the lines are split into (each has the header)
 */
public record OrdersSpec(long seed, long rows, int files) {
    public OrdersSpec {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be 1 or more, was " + rows);
        }
        if (files < 1 || files > 10_000) {
            throw new IllegalArgumentException("files must be between 1 and 10000, was " + files);
        }
        if (files > rows) {
            throw new IllegalArgumentException("files (" + files + ") must not exceed rows (" + rows + ")");
        }
    }

    /** A spec with one file per started million rows, at least 4, so a snapshot always has several files. */
    public static OrdersSpec ofRows(long seed, long rows) {
        int files = (int) Math.max(Math.min(4, rows), Math.min(10_000, (rows + 999_999) / 1_000_000));
        return new OrdersSpec(seed, rows, files);
    }
}
