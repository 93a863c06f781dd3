package dev.snapflow.functions.validate.accept;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request for a calculation, from any entry point (HTTP body, process.requested event, subscription), not
 * yet validated. Exactly one of {@code action} and {@code pipeline} names what to run.
 *
 * @param params for an action: its params object; for a pipeline: an object keyed by action name
 */
public record ProcessRequest(String entity, String dataVersion, String action, String pipeline, JsonNode params,
                             String webhookUrl) {
}
