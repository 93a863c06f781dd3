package dev.snapflow.functions.validate.api;

import dev.snapflow.functions.validate.accept.RequestRejected;

/**
 * The parameters of {@code GET /v1/processes/{id}/steps/{step}/attempts/{attempt}/log}, checked: a wrong one is a
 * 400 naming it.
 *
 * @param step    from 1 to 999
 * @param attempt from 1 to 999
 * @param offset  the first byte to return, 0 or more (default 0)
 * @param limit   how many bytes at most, 1 to {@value #MAX_LIMIT} (default {@value #MAX_LIMIT})
 */
public record LogRequest(int step, int attempt, long offset, int limit) {
    public static final int MAX_LIMIT = 1024 * 1024;

    public static LogRequest parse(String step, String attempt, String offset, String limit) {
        return new LogRequest(index("step", step), index("attempt", attempt),
                offset == null ? 0 : number("offset", offset, 0, Long.MAX_VALUE / 2, "a whole number of 0 or more"),
                limit == null ? MAX_LIMIT : (int) number("limit", limit, 1, MAX_LIMIT, "a whole number from 1 to " + MAX_LIMIT));
    }

    private static int index(String field, String value) {
        return (int) number(field, value, 1, 999, "a whole number from 1 to 999");
    }

    private static long number(String field, String value, long min, long max, String expected) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // the same answer as a number out of range
        }
        throw RequestRejected.badRequest(field, "must be " + expected + ", was '" + value + "'");
    }
}
