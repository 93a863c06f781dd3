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
            for (JsonNode rule : step.path("quality")) {
                out.printf("       quality %-12s %-16s %-7s passed %,d, failed %,d%n", rule.path("rule").asText(),
                        rule.path("column").asText(""), rule.path("severity").asText(""), rule.path("passed").asLong(),
                        rule.path("failed").asLong());
            }
            if (step.path("rejected").hasNonNull("manifestKey")) {
                out.printf("       rejected %,d rows, kept in %s%n", step.path("rejected").path("rowCount").asLong(),
                        step.path("rejected").path("manifestKey").asText());
            }
            if (step.path("logTail").isArray() && !step.path("logTail").isEmpty()) {
                out.println("       last lines of its log:");
                step.path("logTail").forEach(line -> out.println("       | " + line.asText()));
            }
        }
    }

    /** The command that shows the log worth reading: the failed step's, else the last step's. */
    static String whereTheLogsAre(JsonNode process) {
        Integer failed = null;
        Integer last = null;
        for (JsonNode step : process.path("steps")) {
            if (!step.path("attemptHistory").isEmpty()) {
                last = step.path("step").asInt();
            }
            if ("FAILED".equals(step.path("state").asText()) && failed == null) {
                failed = step.path("step").asInt();
            }
        }
        Integer step = failed != null ? failed : last;
        String id = process.path("id").asText();
        return step == null ? "No job ran, so there is no job log."
                : "Job log: snapflow logs " + id + " --step " + step + "   (each step's: --step N; an earlier attempt's: --attempt A)";
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
