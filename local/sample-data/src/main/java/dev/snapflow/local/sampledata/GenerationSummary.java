package dev.snapflow.local.sampledata;

/**
 * How much of each kind of dirt a generation wrote, so tests and demos can state what they expect.
 * Counts are of CSV lines; one line can carry several kinds of dirt.
 */
public record GenerationSummary(
        long rows,
        long distinctOrders,
        long exactDuplicates,
        long lateUpdates,
        long malformedNumbers,
        long malformedTimestamps,
        long missingValues,
        long oddCasing,
        long paddedWhitespace) {
}
