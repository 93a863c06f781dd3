package dev.snapflow.bench;

import java.util.List;

/** The median of repeated measurements (the middle one; the mean of the two middle ones for an even count). */
public final class Median {
    private Median() {
    }

    public static double of(List<Double> values) {
        List<Double> known = values.stream().filter(v -> !v.isNaN()).sorted().toList();
        if (known.isEmpty()) {
            return Double.NaN;
        }
        int middle = known.size() / 2;
        return known.size() % 2 == 1 ? known.get(middle) : (known.get(middle - 1) + known.get(middle)) / 2;
    }
}
