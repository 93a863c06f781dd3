package dev.snapflow.functions.validate.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.storage.Manifest;

import java.time.Instant;
import java.util.List;

/** The JSON the API returns for processes (GET /v1/processes/{id} and the listing). */
public final class ProcessViews {
    private ProcessViews() {
    }

    public record ErrorView(String errorClass, String message) {
    }

    /**
     * @param log           the API path of the attempt's driver log, once it was launched
     * @param sparkEventLog {@code s3://} folder of the attempt's Spark event log (for a History Server), once launched
     */
    public record AttemptView(String jobId, int attempt, String state, Instant requestedAt, Instant launchedAt,
                              Instant startedAt, Instant finishedAt, JsonNode progress, JsonNode metrics,
                              String outputManifest, Boolean cached, ErrorView error, String log,
                              String sparkEventLog) {
    }

    /**
     * @param quality  the data-quality rule results of a SUCCEEDED step's output manifest (GET by id only)
     * @param rejected where its rejected rows were committed, and how many (GET by id only)
     * @param logTail  the last lines of the last attempt's driver log, for a FAILED step whose log exists
     */
    public record StepView(int step, String action, JsonNode params, String state, int attempts, int maxAttempts,
                           String inputManifest, String outputManifest, Instant queuedAt, Instant startedAt,
                           Instant finishedAt, ErrorView error, List<AttemptView> attemptHistory,
                           List<Manifest.QualityResult> quality, Manifest.Rejected rejected, List<String> logTail) {
        public StepView withLogTail(List<String> tail) {
            return new StepView(step, action, params, state, attempts, maxAttempts, inputManifest, outputManifest,
                    queuedAt, startedAt, finishedAt, error, attemptHistory, quality, rejected, tail);
        }

        public StepView withOutcome(List<Manifest.QualityResult> newQuality, Manifest.Rejected newRejected) {
            return new StepView(step, action, params, state, attempts, maxAttempts, inputManifest, outputManifest,
                    queuedAt, startedAt, finishedAt, error, attemptHistory, newQuality, newRejected, logTail);
        }
    }

    public record ProcessView(String id, String tenant, String entity, String dataVersion, String requestedVersion,
                              String action, String pipeline, JsonNode params, String state, String webhookUrl,
                              String idempotencyKey, String origin, String inputManifest, String resultManifest,
                              Instant createdAt, Instant updatedAt, Instant finishedAt, ErrorView error,
                              List<StepView> steps) {
        public ProcessView withSteps(List<StepView> newSteps) {
            return new ProcessView(id, tenant, entity, dataVersion, requestedVersion, action, pipeline, params, state,
                    webhookUrl, idempotencyKey, origin, inputManifest, resultManifest, createdAt, updatedAt, finishedAt,
                    error, newSteps);
        }
    }

    public record ProcessPage(List<ProcessView> items, String nextCursor) {
    }
}
