package dev.snapflow.functions.shared.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.storage.Tier;

import java.time.Duration;
import java.util.List;

/**
 * One action of the catalog: how to run it (image, main class, fixed args, resources), what it reads and
 * writes (tiers), what params it takes (a JSON Schema), and how hard to try (attempts, timeout).
 *
 * @param jobVersion the version of the job code; part of every output id, so a new job version never reuses
 *                   an older version's output
 */
public record ActionDefinition(
        String name,
        String description,
        String image,
        String mainClass,
        List<String> args,
        ResourceProfile resources,
        JsonNode paramsSchema,
        Tier inputTier,
        Tier outputTier,
        int maxAttempts,
        Duration timeout,
        String jobVersion) {

    public ActionDefinition {
        args = List.copyOf(args);
    }
}
