package dev.snapflow.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.snapflow.contracts.storage.PathSegment;

import java.net.URI;
import java.util.Map;

/**
 * Data of {@value EventTypes#PROCESS_REQUESTED}: another system asks for a calculation (the CloudEvents twin of
 * {@code POST /v1/processes}). Exactly one of {@code action} and {@code pipeline} is given.
 *
 * @param tenant         tenant id (a path segment)
 * @param entity         entity name (a path segment)
 * @param dataVersion    the raw data version to read, or {@code latest} for the newest committed one
 * @param action         a single action from the catalog, e.g. {@code clean}; null when {@code pipeline} is given
 * @param pipeline       a named pipeline, e.g. {@code bronze-silver-gold}; null when {@code action} is given
 * @param params         the action's params; for a pipeline, an object keyed by action name. Empty when none
 * @param webhookUrl     optional http(s) URL called with the process result
 * @param idempotencyKey optional caller key: a repeated request with the same key names the same process
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessRequested(
        String tenant,
        String entity,
        String dataVersion,
        String action,
        String pipeline,
        Map<String, Object> params,
        String webhookUrl,
        String idempotencyKey) implements EntityScoped {

    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 128;

    public ProcessRequested {
        PathSegment.requireSafe("tenant", tenant);
        PathSegment.requireSafe("entity", entity);
        PathSegment.requireSafe("dataVersion", dataVersion);
        if ((action == null) == (pipeline == null)) {
            throw new IllegalArgumentException("exactly one of action and pipeline is required");
        }
        if (action != null) {
            PathSegment.requireSafe("action", action);
        } else {
            PathSegment.requireSafe("pipeline", pipeline);
        }
        params = FieldRules.copyParams(params);
        if (webhookUrl != null) {
            requireHttpUrl(webhookUrl);
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH)) {
            throw new IllegalArgumentException("idempotencyKey must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
        }
    }

    /** The action or the pipeline, whichever was requested. */
    public String target() {
        return action != null ? action : pipeline;
    }

    private static void requireHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below with the field name
        }
        throw new IllegalArgumentException("webhookUrl must be an absolute http(s) URL, was '" + url + "'");
    }
}
