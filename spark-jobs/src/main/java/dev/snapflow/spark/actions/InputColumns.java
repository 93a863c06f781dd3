package dev.snapflow.spark.actions;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.spark.JobFailure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The input's columns as its manifest lists them, for checking params before Spark starts. */
final class InputColumns {
    private static final Set<String> NUMERIC = Set.of("tinyint", "smallint", "int", "bigint", "float", "double");
    private final Map<String, String> types = new LinkedHashMap<>();

    InputColumns(Manifest input) {
        input.schema().forEach(c -> types.put(c.name(), c.type()));
    }

    /** False when the manifest does not know its schema (a raw CSV): checks then happen in Spark. */
    boolean known() {
        return !types.isEmpty();
    }

    String require(String param, String column) {
        if (known() && !types.containsKey(column)) {
            throw new JobFailure(ErrorClass.INVALID_PARAMS, param + ": column '" + column
                    + "' is not in the input; it has " + String.join(", ", types.keySet()));
        }
        return types.get(column);
    }

    static boolean numeric(String type) {
        return type != null && (NUMERIC.contains(type) || type.startsWith("decimal("));
    }

    static boolean temporal(String type) {
        return type != null && (type.equals("timestamp") || type.equals("timestamp_ntz") || type.equals("date"));
    }
}
