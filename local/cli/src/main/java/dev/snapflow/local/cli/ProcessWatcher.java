package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Follows a process until it is terminal, drawing one progress bar per step from the jobs' RUNNING reports
 * (tasks done / total of the current attempt, never going backwards: {@link MonotonicProgress}). On a terminal the bars are redrawn in place; otherwise a line is
 * printed whenever a step's line changes.
 */
final class ProcessWatcher {
    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    private static final int BAR_WIDTH = 24;

    private final ApiClient api;
    private final PrintWriter out;
    private final boolean redraw;
    private final Duration pollInterval;
    private final MonotonicProgress progress = new MonotonicProgress();

    ProcessWatcher(ApiClient api, PrintWriter out, boolean redraw, Duration pollInterval) {
        this.api = api;
        this.out = out;
        this.redraw = redraw;
        this.pollInterval = pollInterval;
    }

    /** Whether ANSI redrawing makes sense: a terminal that is not "dumb". */
    static boolean interactiveTerminal() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    /** Polls until terminal and returns the final process. */
    JsonNode watch(String processId) throws InterruptedException {
        List<String> previous = List.of();
        while (true) {
            JsonNode process = api.get("/v1/processes/" + ApiClient.encode(processId));
            List<String> lines = render(process);
            if (redraw) {
                if (!previous.isEmpty()) {
                    out.print("\u001b[" + previous.size() + "A");
                }
                for (String line : lines) {
                    out.print("\r\u001b[2K" + line + "\n");
                }
            } else {
                // Without a terminal, a line only when a step's state or percentage moved (not its clock).
                for (int i = 0; i < lines.size(); i++) {
                    if (i >= previous.size() || !withoutClock(previous.get(i)).equals(withoutClock(lines.get(i)))) {
                        out.println(lines.get(i));
                    }
                }
            }
            out.flush();
            previous = lines;
            if (TERMINAL.contains(process.path("state").asText())) {
                return process;
            }
            Thread.sleep(pollInterval);
        }
    }

    private static String withoutClock(String line) {
        return line.replaceAll("\\d+\\.\\d s", "");
    }

    List<String> render(JsonNode process) {
        List<String> lines = new ArrayList<>();
        lines.add("process " + process.path("id").asText() + "  " + process.path("state").asText());
        JsonNode steps = process.path("steps");
        for (JsonNode step : steps) {
            lines.add(renderStep(step, steps.size()));
        }
        return lines;
    }

    String renderStep(JsonNode step, int stepCount) {
        String state = step.path("state").asText();
        JsonNode attempt = lastAttempt(step);
        JsonNode reported = attempt == null ? ApiClient.JSON.missingNode() : attempt.path("progress");
        double fraction = progress.fraction(step.path("step").asInt(), step.path("attempts").asInt(), state,
                reported.path("tasksDone").asLong(), reported.path("tasksTotal").asLong());
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        String attempts = step.path("attempts").asInt() > 1 ? "  attempt " + step.path("attempts").asInt() : "";
        return String.format("  [%d/%d] %-10s %-10s [%s] %3d%%  %s%s", step.path("step").asInt(), stepCount,
                step.path("action").asText(), state, bar, Math.round(fraction * 100), elapsed(step), attempts);
    }

    private static JsonNode lastAttempt(JsonNode step) {
        JsonNode history = step.path("attemptHistory");
        return history.isArray() && !history.isEmpty() ? history.get(history.size() - 1) : null;
    }

    /** Seconds the step ran (or has been running). */
    static String elapsed(JsonNode step) {
        Duration duration = stepDuration(step);
        return duration == null ? "" : String.format("%.1f s", duration.toMillis() / 1000.0);
    }

    static Duration stepDuration(JsonNode step) {
        String started = step.path("startedAt").asText(null);
        if (started == null) {
            return null;
        }
        String finished = step.path("finishedAt").asText(null);
        Instant end = finished == null ? Instant.now() : Instant.parse(finished);
        return Duration.between(Instant.parse(started), end);
    }
}
