package dev.snapflow.spark.actions;

import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.spark.WrittenOutput;

import java.util.List;
import java.util.Map;

/**
 * What an action wrote (not yet committed) and what it measured.
 *
 * @param output       the output in the action's tier
 * @param quarantine   rejected rows (Tier.QUARANTINE, same output id), or null when the action rejects nothing
 * @param rowsIn       rows read
 * @param quality      data-quality rule results (clean), else empty
 * @param extraMetrics action-specific numbers beside rowsIn/rowsOut/rowsRejected/bytesOut/durationMs
 */
public record ActionResult(WrittenOutput output, WrittenOutput quarantine, long rowsIn,
                           List<Manifest.QualityResult> quality, Map<String, Number> extraMetrics) {
    public ActionResult {
        quality = List.copyOf(quality);
        extraMetrics = Map.copyOf(extraMetrics);
    }
}
