package dev.snapflow.functions.validate.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/** The JSON the API returns for processes (GET /v1/processes/{id} and the listing). */
public final class ProcessViews {
    private ProcessViews() {
    }

    public record ErrorView(String errorClass, String message) {
    }

    public record AttemptView(String jobId, int attempt, String state, Instant requestedAt, Instant launchedAt,
                              Instant startedAt, Instant finishedAt, JsonNode progress, JsonNode metrics,
                              String outputManifest, Boolean cached, ErrorView error) {
    }

    public record StepView(int step, String action, JsonNode params, String state, int attempts, int maxAttempts,
                           String inputManifest, String outputManifest, Instant queuedAt, Instant startedAt,
                           Instant finishedAt, ErrorView error, List<AttemptView> attemptHistory) {
    }

    public record ProcessView(String id, String tenant, String entity, String dataVersion, String requestedVersion,
                              String action, String pipeline, JsonNode params, String state, String webhookUrl,
                              String idempotencyKey, String origin, String inputManifest, String resultManifest,
                              Instant createdAt, Instant updatedAt, Instant finishedAt, ErrorView error,
                              List<StepView> steps) {
    }

    public record ProcessPage(List<ProcessView> items, String nextCursor) {
    }
}
