package dev.snapflow.contracts.jobs;

import java.util.Locale;
import java.util.Objects;

/**
 * A job's name, derived from (process, step, attempt) and nothing else: a redelivered job message names the
 * same job, so launching it twice finds the first one. Valid as a Kubernetes object name (DNS-1123 label,
 * at most 63 characters) and as a path segment.
 */
public record JobId(String value) {
    private static final String PREFIX = "sf-";

    public JobId {
        Objects.requireNonNull(value, "value");
        if (!value.matches("sf-[0-9a-f]{32}-s[0-9]{1,3}-a[0-9]{1,3}")) {
            throw new IllegalArgumentException("not a job id: '" + value + "'");
        }
    }

    /**
     * @param processId the process UUID (with or without dashes)
     * @param step      the step index, from 1
     * @param attempt   the attempt number, from 1
     */
    public static JobId of(String processId, int step, int attempt) {
        String compact = processId.replace("-", "").toLowerCase(Locale.ROOT);
        if (step < 1 || attempt < 1) {
            throw new IllegalArgumentException("step and attempt start at 1");
        }
        return new JobId(PREFIX + compact + "-s" + step + "-a" + attempt);
    }

    /** The process id in canonical UUID form. */
    public String processId() {
        String hex = value.substring(PREFIX.length(), PREFIX.length() + 32);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    public int step() {
        String rest = value.substring(PREFIX.length() + 33);
        return Integer.parseInt(rest.substring(1, rest.indexOf("-a")));
    }

    public int attempt() {
        return Integer.parseInt(value.substring(value.lastIndexOf("-a") + 2));
    }

    @Override
    public String toString() {
        return value;
    }
}
