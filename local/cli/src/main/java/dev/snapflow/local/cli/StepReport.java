package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;

/** Per step of a finished process: state, rows in/out/rejected (the job's metrics), time and output manifest. */
final class StepReport {
    private StepReport() {
    }

    static void print(JsonNode process, PrintWriter out) {
        out.printf("Process %s %s%n", process.path("id").asText(), process.path("state").asText());
        out.printf("  %-4s %-10s %-10s %12s %12s %12s %9s %8s  %s%n", "step", "action", "state", "rows in", "rows out",
                "rejected", "time", "attempts", "output manifest");
        for (JsonNode step : process.path("steps")) {
            JsonNode metrics = lastAttempt(step).path("metrics");
            Duration duration = ProcessWatcher.stepDuration(step);
            out.printf("  %-4d %-10s %-10s %12s %12s %12s %9s %8d  %s%n", step.path("step").asInt(),
                    step.path("action").asText(), step.path("state").asText(), number(metrics, "rowsIn"),
                    number(metrics, "rowsOut"), number(metrics, "rowsRejected"),
                    duration == null ? "-" : String.format("%.1f s", duration.toMillis() / 1000.0),
                    step.path("attempts").asInt(), step.path("outputManifest").asText("-"));
            if (step.hasNonNull("error")) {
                out.printf("       error %s: %s%n", step.path("error").path("errorClass").asText(),
                        step.path("error").path("message").asText());
            }
        }
    }

    private static JsonNode lastAttempt(JsonNode step) {
        JsonNode history = step.path("attemptHistory");
        return history.isArray() && !history.isEmpty() ? history.get(history.size() - 1) : ApiClient.JSON.missingNode();
    }

    private static String number(JsonNode metrics, String name) {
        JsonNode value = metrics.path(name);
        return value.isNumber() ? String.format("%,d", value.asLong()) : "-";
    }
}
