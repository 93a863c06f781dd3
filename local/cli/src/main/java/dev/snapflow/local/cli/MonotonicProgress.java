package dev.snapflow.local.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * A progress fraction per step attempt that never goes backwards. A job reports tasks done over the tasks Spark has
 * planned so far, and Spark plans a query's jobs one after another, so that ratio drops whenever a new job's tasks
 * are planned (55 % → 38 % → 50 % → 35 % in one demo). Shown here: the highest ratio seen for that attempt, below
 * 100 % until the step has succeeded. A retry is a new attempt and starts its own bar (labelled with its number).
 */
final class MonotonicProgress {
    /** Only a SUCCEEDED step is full: a running one may still plan more work. */
    static final double RUNNING_CAP = 0.99;

    private final Map<String, Double> highest = new HashMap<>();

    /**
     * @param step       the step number
     * @param attempt    the attempt number
     * @param state      the step's state
     * @param tasksDone  tasks done, as reported
     * @param tasksTotal tasks planned so far, as reported
     * @return the fraction to show, from 0 to 1
     */
    double fraction(int step, int attempt, String state, long tasksDone, long tasksTotal) {
        if ("SUCCEEDED".equals(state)) {
            return 1.0;
        }
        String key = step + "/" + attempt;
        double seen = highest.getOrDefault(key, 0.0);
        if ("RUNNING".equals(state) && tasksTotal > 0) {
            double reported = Math.min(RUNNING_CAP, Math.max(0.0, (double) tasksDone / tasksTotal));
            seen = Math.max(seen, reported);
            highest.put(key, seen);
        }
        return seen;
    }
}
